//! The alert chime, synthesized with rodio: two soft sine tones, rendered once to WAV and served
//! to the consoles.

use std::{io::Cursor, time::Duration};

use rodio::source::{SineWave, Source};

/// Renders the chime as a WAV file (32-bit float, 48 kHz, mono).
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
    let mut out = Cursor::new(Vec::new());
    rodio::wav_to_writer(first.mix(second), &mut out)
        .map_err(|e| anyhow::anyhow!("rendering the alert sound: {e}"))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chime_is_a_wav_of_about_half_a_second_with_sound_in_it() {
        let wav = alert_wav().unwrap();
        assert_eq!(&wav[0..4], b"RIFF");
        assert_eq!(&wav[8..12], b"WAVE");
        // 32-bit float samples at 48 kHz mono: 0.54 s is about 103,680 bytes of samples.
        let samples: Vec<f32> = wav[wav.len() - 100_000..]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert!(
            wav.len() > 100_000 && wav.len() < 140_000,
            "length {}",
            wav.len()
        );
        let peak = samples.iter().fold(0f32, |m, s| m.max(s.abs()));
        assert!(peak > 0.05 && peak <= 1.0, "peak {peak}");
    }
}
