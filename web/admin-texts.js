/**
 * The Admin page's Bot texts tab: every text the bot sends, per language,
 * with its placeholders; override one (stored on the server, used at once by
 * every instance) or reset it to the default (built in, or the operator's
 * SWITCHBOARD_BOT_TEXTS file).
 */

import { api } from './api.js';
import { button, element } from './dom.js';
import { field, select } from './admin.js';

let language = 'en';

/** Renders the tab into `panel`. */
export async function renderBotTexts(panel, admin) {
  let texts;
  try {
    texts = await api.get('/api/admin/bot-texts');
  } catch (err) {
    admin.fail(err);
    return;
  }
  const languages = [...new Set(texts.map((t) => t.language))];
  if (!languages.includes(language)) language = languages[0] || 'en';
  const picker = select(languages.map((l) => [l, l]), language, 'bot-text-language');
  picker.addEventListener('change', () => {
    language = picker.value;
    admin.refresh();
  });
  panel.append(field('Language', picker));
  const list = element('ul', 'admin-list');
  list.dataset.testid = 'admin-bot-texts';
  for (const text of texts.filter((t) => t.language === language)) list.append(row(text, admin));
  panel.append(list);
}

function row(text, admin) {
  const item = element('li', 'admin-row');
  item.dataset.testid = 'admin-bot-text';
  item.dataset.key = text.key;
  const head = element('div', 'admin-row-head');
  head.append(element('code', '', text.key));
  if (text.overridden) head.append(' ', element('span', 'admin-badge', 'overridden'));
  const hint = text.placeholders.length
    ? `Placeholders: ${text.placeholders.map((p) => `{${p}}`).join(', ')}`
    : 'No placeholders';
  const template = element('textarea');
  template.rows = 2;
  template.maxLength = 4096;
  template.dataset.testid = 'bot-text-template';
  template.value = text.template;
  const path = `/api/admin/bot-texts/${encodeURIComponent(text.language)}/${encodeURIComponent(text.key)}`;
  const save = button('', 'Save', 'bot-text-save');
  save.addEventListener('click', () => act(() => api.put(path, { template: template.value }), admin));
  const reset = button('', 'Reset to default', 'bot-text-reset');
  reset.disabled = !text.overridden;
  reset.title = text.default;
  reset.addEventListener('click', () => act(() => api.del(path), admin));
  const actions = element('div', 'admin-row-actions');
  actions.append(save, reset);
  item.append(head, element('p', 'dialog-hint', hint), template, actions);
  return item;
}

async function act(call, admin) {
  try {
    await call();
    admin.ok();
    admin.refresh();
  } catch (err) {
    admin.fail(err);
  }
}
