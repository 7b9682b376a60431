//! The bounded pool that runs argon2id: a few dedicated threads, and a semaphore in front of
//! them that callers wait on for at most `--hash-wait-ms`.
//!
//! Why: one argon2id hash holds ~19 MiB for its whole run. Run on tokio's blocking pool (up to
//! 512 threads), 150 concurrent bad logins once took the server from 93 MB to 3.2 GB, and
//! glibc kept most of it after the storm (every thread that allocated a hash's memory keeps
//! its own arena, and the freed 19 MiB chunks stay in them). Here at most `threads` hashes
//! exist at once, always on the same `threads` threads, so at most `threads` arenas ever hold
//! hash memory: peak and resident memory stay near `threads × 19 MiB`, and the CPU a login
//! storm can take is `threads` cores. See ARCHITECTURE.md ("Bounds", "Memory").
//!
//! The pure hashing is [`crate::credentials`]; this module only decides where and when it runs.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use crate::credentials;

/// Why a hash did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// Every thread stayed busy for the whole wait; the caller may try again after `retry_after`.
    #[error("every password-hashing thread is busy")]
    Busy { retry_after: Duration },
    /// The job panicked or the pool is gone (shutdown); logged, answered as an internal error.
    #[error("password hashing failed")]
    Failed,
}

type Job = Box<dyn FnOnce() + Send>;

/// A handle on the pool; clones share it. The threads end when the last handle is dropped.
#[derive(Clone)]
pub struct PasswordPool {
    inner: Arc<Inner>,
}

struct Inner {
    /// One permit per thread: a job is queued only while its caller holds one, so the queue
    /// never holds more jobs than there are threads to run them.
    slots: Arc<Semaphore>,
    threads: usize,
    jobs: mpsc::Sender<Job>,
    wait: Duration,
    gauge: Arc<Gauge>,
}

/// Hashes running right now, and the most ever seen at once (for tests and operators).
#[derive(Default)]
struct Gauge {
    running: AtomicUsize,
    peak: AtomicUsize,
}

/// Every slot of the pool, taken; they come back when this is dropped.
pub struct Held(#[allow(dead_code)] OwnedSemaphorePermit);

impl PasswordPool {
    /// Start `threads` (at least 1) hashing threads; callers wait at most `wait` for one.
    pub fn new(threads: usize, wait: Duration) -> Self {
        let threads = threads.max(1);
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads {
            let rx = Arc::clone(&rx);
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        let Ok(job) = job else { return };
                        job();
                    }
                })
                .expect("spawning a password-hashing thread");
        }
        PasswordPool {
            inner: Arc::new(Inner {
                slots: Arc::new(Semaphore::new(threads)),
                threads,
                jobs: tx,
                wait,
                gauge: Arc::default(),
            }),
        }
    }

    /// An argon2id PHC string for `password` with a fresh salt.
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        self.run(move || credentials::hash_password(&password))
            .await
    }

    /// Does `password` match `phc`? `None` checks against a dummy hash (an unknown e-mail costs
    /// what a wrong password costs) and is always false.
    pub async fn verify(&self, password: String, phc: Option<String>) -> Result<bool, HashError> {
        self.run(move || match phc {
            Some(phc) => credentials::verify_password(&password, &phc),
            None => {
                let _ = credentials::verify_password(&password, credentials::dummy_password_hash());
                false
            }
        })
        .await
    }

    /// Hashes running at this moment.
    pub fn running(&self) -> usize {
        self.inner.gauge.running.load(Ordering::SeqCst)
    }

    /// The most hashes that ever ran at once in this pool.
    pub fn peak(&self) -> usize {
        self.inner.gauge.peak.load(Ordering::SeqCst)
    }

    /// Take every slot until the returned guard is dropped, as a storm of slow hashes would:
    /// lets tests see what callers beyond the bound get without depending on hashing speed.
    pub async fn hold_all(&self) -> Held {
        let n = u32::try_from(self.inner.threads).expect("a sane number of threads");
        let permit = Arc::clone(&self.inner.slots)
            .acquire_many_owned(n)
            .await
            .expect("the pool's semaphore is never closed");
        Held(permit)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let inner = &self.inner;
        let busy = HashError::Busy {
            retry_after: inner.wait.max(Duration::from_secs(1)),
        };
        let permit = tokio::time::timeout(inner.wait, Arc::clone(&inner.slots).acquire_owned())
            .await
            .map_err(|_| busy)?
            .map_err(|_| HashError::Failed)?;
        let (tx, rx) = oneshot::channel();
        let gauge = Arc::clone(&inner.gauge);
        let job: Job = Box::new(move || {
            let now = gauge.running.fetch_add(1, Ordering::SeqCst) + 1;
            gauge.peak.fetch_max(now, Ordering::SeqCst);
            // A panic must not kill the thread (the pool would shrink for good).
            let out = std::panic::catch_unwind(AssertUnwindSafe(work));
            gauge.running.fetch_sub(1, Ordering::SeqCst);
            // The slot is free once the hash's memory is; the caller may have gone meanwhile.
            drop(permit);
            if let Ok(out) = out {
                let _ = tx.send(out);
            }
        });
        inner.jobs.send(job).map_err(|_| HashError::Failed)?;
        rx.await.map_err(|_| HashError::Failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_the_wait_is_bounded() {
        let pool = PasswordPool::new(1, Duration::from_millis(20));
        let phc = pool.hash("pw".into()).await.unwrap();
        assert!(pool.verify("pw".into(), Some(phc.clone())).await.unwrap());
        assert!(!pool.verify("nope".into(), Some(phc)).await.unwrap());
        assert!(!pool.verify("pw".into(), None).await.unwrap());
        assert_eq!((pool.peak(), pool.running()), (1, 0));
        let held = pool.hold_all().await;
        let refused = pool.verify("pw".into(), None).await;
        assert!(
            matches!(refused, Err(HashError::Busy { retry_after }) if retry_after.as_secs() >= 1)
        );
        drop(held);
        assert!(pool.hash("pw".into()).await.is_ok());
    }

    #[tokio::test]
    async fn a_panicking_job_keeps_its_thread() {
        let pool = PasswordPool::new(1, Duration::from_secs(60));
        assert_eq!(
            pool.run(|| panic!("boom")).await,
            Err::<(), _>(HashError::Failed)
        );
        assert_eq!(pool.run(|| 7).await, Ok(7));
    }
}
