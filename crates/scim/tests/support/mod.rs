//! Test support: a real `scim2-server` (PyPI) on a free loopback port, killed on drop, and a
//! token provider that counts the requests a client sends.
//!
//! The server must be installed (`bash scripts/test.sh` installs it into target/test-peers/venv and puts it on PATH); a
//! test that needs it fails with that instruction when it is missing, it is never skipped.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use wfm_auth::{AccessToken, AuthError, TokenProvider};
use wfm_scim::{Client, Flavor};

/// The bearer token every test server requires.
pub const TOKEN: &str = "scim-test-token";

/// A running `scim2-server`, killed when dropped.
pub struct Scim2Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Scim2Server {
    /// Start a server on a free port and wait until `/ServiceProviderConfig` answers 200.
    ///
    /// Panics (failing the test) with what to do when `scim2-server` is not installed or does not
    /// come up.
    pub fn start() -> Self {
        let mut last_log = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            let log = std::env::temp_dir()
                .join(format!("scim2-server-{}-{port}.log", std::process::id()));
            let log_file = std::fs::File::create(&log).expect("create the scim2-server log file");
            let spawned = Command::new("scim2-server")
                .args([
                    "--hostname",
                    "127.0.0.1",
                    "--port",
                    &port.to_string(),
                    "--bearer-token",
                    TOKEN,
                ])
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().expect("clone the log file handle"))
                .stderr(log_file)
                .spawn();
            let mut child = match spawned {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
                    "scim2-server is not installed or not on PATH. Install the test peers with \
                     `bash scripts/test.sh` (it makes target/test-peers/venv with scim2-server 0.8.3, Python >= 3.11), or put a venv with tests/peers/requirements.txt first on PATH"
                ),
                Err(e) => panic!("could not start scim2-server: {e}"),
            };
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if let Ok(Some(status)) = child.try_wait() {
                    last_log = std::fs::read_to_string(&log).unwrap_or_default();
                    let _ = std::fs::remove_file(&log);
                    if last_log.contains("Address already in use") {
                        break; // lost the port race; try another port
                    }
                    panic!(
                        "scim2-server exited with {status} before answering; its output:\n{last_log}"
                    );
                }
                if probe(port) {
                    return Self { child, port, log };
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    let out = std::fs::read_to_string(&log).unwrap_or_default();
                    panic!(
                        "scim2-server did not answer on 127.0.0.1:{port} within 30 s; its output:\n{out}"
                    );
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("scim2-server could not bind a port after 3 attempts; last output:\n{last_log}")
    }

    /// The SCIM base URL (`http://127.0.0.1:PORT/v2/`).
    pub fn base_url(&self) -> url::Url {
        format!("http://127.0.0.1:{}/v2/", self.port)
            .parse()
            .expect("a valid URL")
    }

    /// A generic-flavour client with the right token.
    pub fn client(&self) -> Client {
        self.client_with(Arc::new(CountingToken::new(TOKEN)))
    }

    /// A client whose token provider is `tokens`.
    pub fn client_with(&self, tokens: Arc<dyn TokenProvider>) -> Client {
        Client::builder(Flavor::Generic, self.base_url())
            .token_provider(tokens)
            .build()
            .expect("a client")
    }
}

impl Drop for Scim2Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A static token that counts how often the transport asked for it: once per request sent.
#[derive(Debug)]
pub struct CountingToken {
    token: AccessToken,
    calls: AtomicUsize,
}

impl CountingToken {
    /// A provider of `secret`.
    pub fn new(secret: &str) -> Self {
        Self {
            token: AccessToken::new(secret),
            calls: AtomicUsize::new(0),
        }
    }
    /// Requests sent so far.
    pub fn requests(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait::async_trait]
impl TokenProvider for CountingToken {
    async fn token(&self) -> Result<AccessToken, AuthError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(self.token.clone())
    }
    async fn refresh(&self, _rejected: &AccessToken) -> Result<AccessToken, AuthError> {
        Ok(self.token.clone())
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn probe(port: u16) -> bool {
    let Ok(mut stream) =
        TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200))
    else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /ServiceProviderConfig HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 16];
    let n = stream.read(&mut head).unwrap_or(0);
    let head = String::from_utf8_lossy(&head[..n]);
    head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200")
}
