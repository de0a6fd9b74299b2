//! Password checks that reuse their argon2 working memory. Each check needs ~19 MiB; allocating
//! it afresh on whichever blocking thread runs the check leaves a copy behind in that thread's
//! malloc arena, so a flood of logins grew the process by hundreds of MiB even with few checks at
//! once. Here each of the few checks that may run at once borrows a buffer from a small pool.

use std::sync::{Arc, Mutex};

use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version, password_hash::Output};

/// Working memory for password checks, one buffer per check running at once.
#[derive(Clone, Default)]
pub struct PasswordMemory(Arc<Mutex<Vec<Vec<Block>>>>);

impl PasswordMemory {
    /// Checks `password` against a PHC `hash` with a pooled buffer. Call it on a blocking thread.
    pub fn verify(&self, password: &str, hash: &str) -> bool {
        let mut memory = self
            .0
            .lock()
            .map(|mut pool| pool.pop())
            .ok()
            .flatten()
            .unwrap_or_default();
        let ok = verify_with(password, hash, &mut memory);
        if let Ok(mut pool) = self.0.lock() {
            pool.push(memory);
        }
        ok
    }
}

/// Checks `password` against a PHC `hash`, computing in `memory` (resized as the hash needs).
pub fn verify_with(password: &str, hash: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let blocks = params.block_count();
    if memory.len() != blocks {
        memory.clear();
        memory.resize(blocks, Block::new());
        memory.shrink_to_fit();
    }
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params);
    if argon2
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..])
        .is_err()
    {
        return false;
    }
    // Output compares in constant time.
    Output::new(&out).is_ok_and(|computed| computed == expected)
}
