//! The alert chime, synthesized with rodio: two soft sine tones, rendered once to a 16-bit PCM WAV
//! (the plain 44-byte `WAVE_FORMAT_PCM` header every browser and decoder reads) and served to the
//! consoles.

use std::time::Duration;

use rodio::source::{SineWave, Source};

/// Bytes in the canonical PCM WAV header (RIFF, `fmt ` of 16 bytes, `data`).
pub const WAV_HEADER_BYTES: usize = 44;

/// `WAVE_FORMAT_PCM`: integer samples, no extension.
const FORMAT_PCM: u16 = 1;
/// Bits per sample of the rendered chime.
const BITS_PER_SAMPLE: u16 = 16;

/// Renders the chime as a WAV file: 16-bit PCM, 48 kHz, mono.
pub fn alert_wav() -> anyhow::Result<Vec<u8>> {
    let first = SineWave::new(880.0)
        .take_duration(Duration::from_millis(180))
        .fade_in(Duration::from_millis(10))
        .amplify(0.30);
    let second = SineWave::new(1318.5)
        .take_duration(Duration::from_millis(420))
        .fade_out(Duration::from_millis(420))
        .amplify(0.22)
        .delay(Duration::from_millis(120));
    pcm16_wav(first.mix(second))
}

/// Renders a finite rodio source to a 16-bit PCM WAV: every sample the source yields, converted
/// from f32 with clamping to [-1, 1], at the source's own rate and channel count.
pub fn pcm16_wav<S>(source: S) -> anyhow::Result<Vec<u8>>
where
    S: Source,
{
    let channels = source.channels().get();
    let sample_rate = source.sample_rate().get();
    let mut samples: Vec<i16> = source.map(to_i16).collect();
    // Only whole frames: a trailing partial frame would shift the channels of a player.
    samples.truncate(samples.len() - samples.len() % usize::from(channels));
    let data_bytes = u32::try_from(samples.len() * 2)
        .map_err(|_| anyhow::anyhow!("the alert sound is too long for a WAV file"))?;
    let block_align = channels * (BITS_PER_SAMPLE / 8);
    let byte_rate = sample_rate * u32::from(block_align);

    let mut wav = Vec::with_capacity(WAV_HEADER_BYTES + samples.len() * 2);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_bytes).to_le_bytes());
    wav.extend_from_slice(b"WAVE");
    wav.extend_from_slice(b"fmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&FORMAT_PCM.to_le_bytes());
    wav.extend_from_slice(&channels.to_le_bytes());
    wav.extend_from_slice(&sample_rate.to_le_bytes());
    wav.extend_from_slice(&byte_rate.to_le_bytes());
    wav.extend_from_slice(&block_align.to_le_bytes());
    wav.extend_from_slice(&BITS_PER_SAMPLE.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_bytes.to_le_bytes());
    for sample in samples {
        wav.extend_from_slice(&sample.to_le_bytes());
    }
    Ok(wav)
}

/// One f32 sample as 16-bit PCM: clamped to [-1, 1] (NaN is silence), then scaled.
fn to_i16(sample: f32) -> i16 {
    let clamped = if sample.is_nan() {
        0.0
    } else {
        sample.clamp(-1.0, 1.0)
    };
    // In range by the clamp: at most 32767 in magnitude.
    (clamped * f32::from(i16::MAX)).round() as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u16_at(wav: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([wav[at], wav[at + 1]])
    }

    fn u32_at(wav: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([wav[at], wav[at + 1], wav[at + 2], wav[at + 3]])
    }

    #[test]
    fn the_chime_is_a_16_bit_pcm_wav_with_the_plain_44_byte_header() {
        let wav = alert_wav().unwrap();
        assert_eq!(&wav[0..4], b"RIFF");
        assert_eq!(u32_at(&wav, 4) as usize, wav.len() - 8, "RIFF size");
        assert_eq!(&wav[8..12], b"WAVE");
        assert_eq!(&wav[12..16], b"fmt ");
        assert_eq!(u32_at(&wav, 16), 16, "fmt chunk of a plain PCM header");
        assert_eq!(u16_at(&wav, 20), 1, "WAVE_FORMAT_PCM");
        let channels = u16_at(&wav, 22);
        let rate = u32_at(&wav, 24);
        assert_eq!(channels, 1);
        assert_eq!(rate, 48_000);
        assert_eq!(u16_at(&wav, 34), 16, "bits per sample");
        assert_eq!(u16_at(&wav, 32), channels * 2, "block align");
        assert_eq!(
            u32_at(&wav, 28),
            rate * u32::from(channels) * 2,
            "byte rate"
        );
        assert_eq!(&wav[36..40], b"data");
        assert_eq!(
            u32_at(&wav, 40) as usize,
            wav.len() - WAV_HEADER_BYTES,
            "data size"
        );
        // About 0.54 s of sound: the second tone starts at 120 ms and lasts 420 ms.
        let seconds = (wav.len() - WAV_HEADER_BYTES) as f64 / f64::from(rate * 2);
        assert!((0.5..0.6).contains(&seconds), "{seconds} s");
    }

    #[test]
    fn the_chime_is_audible_and_never_clipped() {
        let wav = alert_wav().unwrap();
        let samples: Vec<i16> = wav[WAV_HEADER_BYTES..]
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
        assert!(peak > 3_000, "peak {peak}: not silent");
        assert!(peak < 32_000, "peak {peak}: not clipped");
        let loud = samples.iter().filter(|s| s.unsigned_abs() > 1_000).count();
        assert!(loud > samples.len() / 4, "sound in most of it: {loud}");
    }

    #[test]
    fn samples_out_of_range_are_clamped_and_nan_is_silence() {
        assert_eq!(to_i16(2.5), i16::MAX);
        assert_eq!(to_i16(-2.5), -i16::MAX);
        assert_eq!(to_i16(1.0), i16::MAX);
        assert_eq!(to_i16(0.0), 0);
        assert_eq!(to_i16(f32::NAN), 0);
        assert_eq!(to_i16(0.5), 16_384);
    }
}
