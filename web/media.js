/**
 * What a customer sent besides text, as the chat shows it: pictures and
 * stickers inline, voice and audio with a player, video with a player,
 * documents as a download link, places as coordinates with a map link,
 * contacts as text; the message a reply quotes; the "edited" mark; albums
 * (consecutive messages of one media group) drawn as one entry. Everything is
 * built with DOM APIs; customer text goes through textContent only.
 */

import { div, element, isolated, localDateTime, span } from './dom.js';

/** The console's route serving a message's file. */
export function fileUrl(message) {
  return `/api/messages/${Number(message.id)}/file`;
}

/** Bytes as "1.2 MB". */
function size(bytes) {
  if (bytes == null) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Telegram's download limit for bots: larger files cannot be fetched. */
const MAX_DOWNLOAD = 20 * 1024 * 1024;

/** The node showing a message's media, or null when it has none. */
export function mediaNode(message) {
  const media = message.media;
  if (!media || !media.kind) return null;
  const box = div('message-media');
  box.dataset.kind = media.kind;
  const tooLarge = media.file_size != null && media.file_size > MAX_DOWNLOAD;
  if (media.file_id && tooLarge) {
    box.append(span('media-note',
      `${media.kind.replace('_', ' ')} (${size(media.file_size)}): over Telegram's 20 MB limit for bots, it cannot be opened here`));
    return box;
  }
  switch (media.kind) {
    case 'photo':
    case 'sticker': {
      if (media.mime_type && media.mime_type.startsWith('application/')) {
        box.append(span('media-note', `${media.emoji || ''} animated sticker`.trim()));
        break;
      }
      const img = element('img', `media-${media.kind}`);
      img.src = fileUrl(message);
      img.alt = media.kind === 'sticker' ? (media.emoji || 'sticker') : 'photo';
      img.loading = 'lazy';
      if (media.width && media.height) {
        img.width = Math.min(media.width, media.kind === 'sticker' ? 160 : 320);
        img.height = Math.round(img.width * media.height / media.width);
      }
      const link = element('a', 'media-open');
      link.href = fileUrl(message);
      link.target = '_blank';
      link.rel = 'noopener';
      link.append(img);
      box.append(link);
      break;
    }
    case 'voice':
    case 'audio': {
      const audio = element('audio', 'media-audio');
      audio.controls = true;
      audio.preload = 'none';
      audio.src = fileUrl(message);
      box.append(audio);
      if (media.kind === 'audio' && (media.title || media.file_name)) {
        box.append(isolated('media-name', media.title || media.file_name));
      }
      break;
    }
    case 'video':
    case 'video_note':
    case 'animation': {
      const video = element('video', `media-${media.kind}`);
      video.controls = true;
      video.preload = 'metadata';
      if (media.kind === 'animation') {
        video.loop = true;
        video.muted = true;
      }
      video.src = fileUrl(message);
      box.append(video);
      break;
    }
    case 'document': {
      const link = element('a', 'media-document');
      link.href = fileUrl(message);
      link.download = media.file_name || 'document';
      link.append(span('media-icon', '📄 '), isolated('media-name', media.file_name || 'document'));
      if (media.file_size != null) link.append(span('media-size', ` (${size(media.file_size)})`));
      box.append(link);
      break;
    }
    case 'location':
    case 'venue': {
      const lat = Number(media.latitude);
      const lon = Number(media.longitude);
      if (media.kind === 'venue') {
        box.append(isolated('media-name', media.title || ''), element('br'));
        box.append(isolated('media-address', media.address || ''), element('br'));
      }
      box.append(span('media-coordinates', `📍 ${lat.toFixed(5)}, ${lon.toFixed(5)} `));
      const map = element('a', 'media-map', 'open map');
      map.href = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`;
      map.target = '_blank';
      map.rel = 'noopener noreferrer';
      box.append(map);
      break;
    }
    case 'contact': {
      box.append(span('media-icon', '👤 '), isolated('media-name', media.contact_name || ''),
        span('', ' '), isolated('media-phone', media.phone_number || ''));
      break;
    }
    default:
      box.append(span('media-note', media.kind));
  }
  return box;
}

/** The quoted message of a reply, or null. */
export function quoteNode(message) {
  const quoted = message.reply_to;
  if (!quoted) return null;
  const quote = element('blockquote', 'message-quote');
  quote.dataset.quotedId = String(quoted.id);
  quote.append(isolated('quote-author', quoted.author_name || ''));
  const text = quoted.text || (quoted.media_kind ? `[${quoted.media_kind.replace('_', ' ')}]` : '');
  quote.append(div('quote-text', text));
  quote.lastChild.dir = 'auto';
  return quote;
}

/** The "edited" mark, its title listing the earlier texts; null when never edited. */
export function editedNode(message) {
  if (!message.edited_at) return null;
  const mark = span('message-edited', 'edited');
  const earlier = (message.earlier_texts || [])
    .map((e) => `${localDateTime(e.replaced_at)}: ${e.text}`);
  mark.title = [`edited ${localDateTime(message.edited_at)}`, ...earlier.map((t) => `before: ${t}`)].join('\n');
  return mark;
}

/**
 * Draws consecutive messages of one album as one entry: every message after
 * the first of its group gets the `album-next` class (no header, no gap).
 */
export function groupAlbums(history) {
  let previous = null;
  for (const li of history.children) {
    const group = li.dataset.mediaGroup || '';
    li.classList.toggle('album-next', Boolean(group) && previous === group);
    previous = li.dataset.messageId ? group : null;
  }
}
