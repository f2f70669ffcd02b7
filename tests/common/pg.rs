//! The PostgreSQL server the PostgreSQL half of the suite runs on.
//!
//! The server at `SAMVERKAN_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/postgres`)
//! when it answers. When nothing answers there, the test binary starts a private cluster of its own:
//! `initdb` into a temporary folder with trust authentication, `postgres` on a free loopback port,
//! TLS on with a certificate made for the run. The server binaries are found on `PATH` or in the
//! usual install locations. A watchdog shell holds the server: it reads from a pipe whose writing end
//! only this process holds, so when the test binary ends (however: success, panic, `kill -9`) the pipe
//! closes, and the watchdog stops the server and removes the folder. A cluster left behind anyway (a
//! reboot mid-run) is removed by the next run that starts one. Run as root, the cluster runs as an
//! unprivileged user (`postgres` where it exists, else `nobody`), since PostgreSQL refuses root.
//!
//! There is no skipping: with no server answering and no server binaries installed, every
//! PostgreSQL test fails with one message that says what to install.

use std::ffi::CString;
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use diesel::Connection;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Where the tests create their databases, and what runs there.
pub struct Server {
    /// A URL of a role that may create databases.
    pub admin_url: String,
    /// Set when the harness started the server itself.
    pub private: Option<PrivateCluster>,
}

/// A cluster this test binary started and its watchdog will remove.
pub struct PrivateCluster {
    pub dir: PathBuf,
    pub port: u16,
    /// The certificate the server presents (self-signed, for `localhost` and 127.0.0.1): a client
    /// that trusts it may connect with `sslmode=verify-full`.
    pub ca_file: PathBuf,
    /// The writing end of the watchdog's pipe: held until the process ends.
    _lifeline: Mutex<ChildStdin>,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();

/// The server, resolved (and started when needed) once per test binary.
pub fn server() -> &'static Server {
    match SERVER.get_or_init(resolve) {
        Ok(server) => server,
        Err(message) => panic!("{message}"),
    }
}

fn resolve() -> Result<Server, String> {
    let explicit = std::env::var("SAMVERKAN_TEST_POSTGRES").ok();
    let url = explicit.clone().unwrap_or_else(|| DEFAULT_URL.to_string());
    let error = match diesel::PgConnection::establish(&url) {
        Ok(_) => {
            return Ok(Server {
                admin_url: url,
                private: None,
            });
        }
        Err(e) => e.to_string(),
    };
    // A server that answers but refuses the connection (a password, a missing role) was chosen on
    // purpose: say so rather than hide it behind a private cluster. At the default URL, where the
    // developer chose nothing, any failure means "use a private cluster".
    if explicit.is_some() && !nothing_answers(&error) {
        return Err(format!(
            "PostgreSQL at SAMVERKAN_TEST_POSTGRES={url} answers but refuses the tests' connection: {}. \
             Give a URL of a role that may create databases, or unset the variable (with nothing \
             answering there, the tests start a private cluster).",
            error.trim()
        ));
    }
    // Straight to stderr, past the test harness's capture of `eprintln!`: CI counts these lines.
    let _ = writeln!(
        std::io::stderr(),
        "samverkan tests: no PostgreSQL answers at {url} ({}); starting a private cluster for this test binary",
        error.trim().replace('\n', " ")
    );
    let cluster = PrivateCluster::start(&url, error.trim())?;
    Ok(Server {
        admin_url: format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port),
        private: Some(cluster),
    })
}

/// libpq's words for "no server there" (refused, no route, no socket, timed out).
fn nothing_answers(error: &str) -> bool {
    let lower = error.to_ascii_lowercase();
    [
        "connection refused",
        "no such file or directory",
        "timeout expired",
        "timed out",
        "could not translate host name",
        "no route to host",
        "network is unreachable",
    ]
    .iter()
    .any(|sign| lower.contains(sign))
}

/// Where private clusters live, one folder each, named `cluster-<pid>-<nonce>`.
fn clusters_root() -> PathBuf {
    std::env::temp_dir().join("samverkan-test-postgres")
}

impl PrivateCluster {
    fn start(url: &str, why: &str) -> Result<Self, String> {
        let bin = server_binaries().ok_or_else(|| {
            format!(
                "The PostgreSQL half of the test suite needs a PostgreSQL server. None answers at {url} \
                 ({why}), and no PostgreSQL server binaries (initdb and postgres) were found on PATH or \
                 in {}. Install the PostgreSQL server package (Debian/Ubuntu: apt-get install \
                 postgresql; Fedora/RHEL: dnf install postgresql-server; macOS: brew install \
                 postgresql@16), or set SAMVERKAN_TEST_POSTGRES to a server the tests may use.",
                SEARCHED.join(", ")
            )
        })?;
        let root = clusters_root();
        std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
        // Sticky and open to all, like /tmp: the unprivileged server user removes its own folder.
        let _ = std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o1777));
        remove_abandoned(&root, &bin);

        let owner = Owner::for_server()?;
        let dir = root.join(format!(
            "cluster-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        owner.chown(&dir)?;

        // TLS as in production: a certificate for this run, so that `sslmode=require` and
        // `verify-full` (with this certificate as the root) are tested against the bundled libpq.
        let cert = rcgen::generate_simple_self_signed(vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
        ])
        .map_err(|e| format!("test certificate: {e}"))?;
        let ca_file = dir.join("server.crt");
        let key_file = dir.join("server.key");
        std::fs::write(&ca_file, cert.cert.pem()).map_err(|e| e.to_string())?;
        std::fs::write(&key_file, cert.signing_key.serialize_pem()).map_err(|e| e.to_string())?;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| e.to_string())?;
        owner.chown(&ca_file)?;
        owner.chown(&key_file)?;

        // A UTF-8 locale, as production clusters have: PostgreSQL's lower() folds Å, Ä and Ö only
        // under one (the C locale folds ASCII alone). C.UTF-8 where the C library has it (glibc),
        // else en_US.UTF-8 (macOS).
        let data = dir.join("data");
        let mut failures = Vec::new();
        for locale in ["C.UTF-8", "en_US.UTF-8"] {
            let initdb = owner
                .command(&bin.join("initdb"), &dir)
                .args(["-D"])
                .arg(&data)
                .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
                .arg(format!("--locale={locale}"))
                .output()
                .map_err(|e| format!("{}: {e}", bin.join("initdb").display()))?;
            if initdb.status.success() {
                failures.clear();
                break;
            }
            failures.push(format!(
                "initdb --locale={locale} failed ({}): {}{}",
                initdb.status,
                String::from_utf8_lossy(&initdb.stdout),
                String::from_utf8_lossy(&initdb.stderr)
            ));
            let _ = std::fs::remove_dir_all(&data);
        }
        if !failures.is_empty() {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(failures.join("\n"));
        }

        // A free port can be taken between the probe and the server's bind: try a few.
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            match Self::run(&bin, &owner, &dir, &data, port, &ca_file, &key_file) {
                Ok(lifeline) => {
                    return Ok(PrivateCluster {
                        dir,
                        port,
                        ca_file,
                        _lifeline: Mutex::new(lifeline),
                    });
                }
                Err(e) => last_error = e,
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        Err(format!(
            "the private PostgreSQL cluster did not start: {last_error}"
        ))
    }

    /// Starts `postgres` under the watchdog and waits until it accepts connections.
    fn run(
        bin: &Path,
        owner: &Owner,
        dir: &Path,
        data: &Path,
        port: u16,
        cert: &Path,
        key: &Path,
    ) -> Result<ChildStdin, String> {
        let log = dir.join(format!("postgres-{port}.log"));
        // The watchdog: the server in the background; `read` returns when the pipe closes (this
        // process has ended), then a fast shutdown and the folder removed; or when told to `keep`
        // the folder (the server did not come up on this port, and another is tried).
        let script = r#"
            "$PG_BIN/postgres" -D "$PG_DATA" -p "$PG_PORT" -k "$PG_DIR" \
                -c listen_addresses=127.0.0.1 -c max_connections=300 \
                -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
                -c ssl=on -c ssl_cert_file="$PG_CERT" -c ssl_key_file="$PG_KEY" \
                >"$PG_LOG" 2>&1 &
            pid=$!
            read -r order
            kill -INT "$pid" 2>/dev/null
            wait "$pid"
            [ "$order" = keep ] || rm -rf "$PG_DIR"
        "#;
        let mut watchdog = owner
            .command(Path::new("/bin/sh"), dir)
            .args(["-c", script])
            .env("PG_BIN", bin)
            .env("PG_DATA", data)
            .env("PG_PORT", port.to_string())
            .env("PG_DIR", dir)
            .env("PG_CERT", cert)
            .env("PG_KEY", key)
            .env("PG_LOG", &log)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("/bin/sh: {e}"))?;
        let mut lifeline = watchdog.stdin.take().expect("a piped stdin");
        let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        let started = Instant::now();
        loop {
            if diesel::PgConnection::establish(&url).is_ok() {
                return Ok(lifeline);
            }
            let log_text = std::fs::read_to_string(&log).unwrap_or_default();
            let server_gone = log_text.contains("could not bind")
                || log_text.contains("FATAL")
                || watchdog.try_wait().ok().flatten().is_some();
            if server_gone || started.elapsed() > Duration::from_secs(60) {
                // Stop what did start, and keep the folder for the next port.
                let _ = lifeline.write_all(b"keep\n");
                drop(lifeline);
                let _ = watchdog.wait();
                return Err(format!("postgres on port {port}: {}", log_text.trim()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The folders searched for `initdb` and `postgres` after `PATH`.
const SEARCHED: [&str; 6] = [
    "/usr/lib/postgresql/*/bin",
    "/usr/pgsql-*/bin",
    "/usr/local/pgsql/bin",
    "/opt/homebrew/opt/postgresql@*/bin",
    "/usr/local/opt/postgresql@*/bin",
    "/opt/homebrew/bin",
];

/// A folder holding both `initdb` and `postgres`: from `PATH` (following symbolic links, as
/// Debian's `/usr/local/bin` ones are), else the newest version in the usual locations.
fn server_binaries() -> Option<PathBuf> {
    let has_both = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        let initdb = dir.join("initdb");
        if initdb.is_file() {
            if let Some(real) = std::fs::canonicalize(&initdb)
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf))
                && has_both(&real)
            {
                return Some(real);
            }
            if has_both(&dir) {
                return Some(dir);
            }
        }
    }
    let mut found: Vec<PathBuf> = Vec::new();
    for pattern in SEARCHED {
        let (prefix, suffix) = pattern.split_once('*').unwrap_or((pattern, ""));
        let parent = Path::new(prefix).parent().unwrap_or(Path::new("/"));
        let stem = Path::new(prefix)
            .file_name()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        if !pattern.contains('*') {
            if has_both(Path::new(pattern)) {
                found.push(PathBuf::from(pattern));
            }
            continue;
        }
        let Ok(entries) = std::fs::read_dir(parent) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with(&stem) {
                let dir = PathBuf::from(format!("{}/{name}{suffix}", parent.display()));
                if has_both(&dir) {
                    found.push(dir);
                }
            }
        }
    }
    // The newest major version: compare the numbers in the path.
    found.sort_by_key(|p| {
        p.to_string_lossy()
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse::<u32>().ok())
            .collect::<Vec<_>>()
    });
    found.pop()
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("a free port: {e}"))?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

/// Removes clusters whose test binary is gone (a run interrupted past its watchdog, a reboot):
/// stops a server still running in one, then deletes the folder.
fn remove_abandoned(root: &Path, bin: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(pid) = name
            .strip_prefix("cluster-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<i32>().ok())
        else {
            continue;
        };
        if process_alive(pid) {
            continue;
        }
        let data = entry.path().join("data");
        if data.join("postmaster.pid").exists() {
            let _ = Command::new(bin.join("pg_ctl"))
                .args(["stop", "-m", "immediate", "-D"])
                .arg(&data)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            // pg_ctl refuses root; the postmaster's pid is the file's first line.
            if let Some(pm) = std::fs::read_to_string(data.join("postmaster.pid"))
                .ok()
                .and_then(|s| s.lines().next().and_then(|l| l.trim().parse::<i32>().ok()))
                && process_alive(pm)
            {
                // SAFETY: kill(2) with a pid read from the cluster's own postmaster.pid.
                unsafe {
                    libc::kill(pm, libc::SIGQUIT);
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        }
        let _ = std::fs::remove_dir_all(entry.path());
    }
}

fn process_alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists; EPERM means it exists.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Who runs the server: this process's user, or an unprivileged one when running as root.
struct Owner {
    ids: Option<(u32, u32)>,
}

impl Owner {
    fn for_server() -> Result<Self, String> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Ok(Owner { ids: None });
        }
        for name in ["postgres", "nobody"] {
            let c_name = CString::new(name).expect("no NUL");
            // SAFETY: getpwnam returns a pointer into static storage or NULL; read at once.
            let pw = unsafe { libc::getpwnam(c_name.as_ptr()) };
            if !pw.is_null() {
                // SAFETY: pw is non-null and points to a valid passwd record.
                let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
                return Ok(Owner {
                    ids: Some((uid, gid)),
                });
            }
        }
        Err("running as root, and neither a 'postgres' nor a 'nobody' user exists to run the private PostgreSQL cluster as (PostgreSQL refuses to run as root)".into())
    }

    fn chown(&self, path: &Path) -> Result<(), String> {
        if let Some((uid, gid)) = self.ids {
            std::os::unix::fs::chown(path, Some(uid), Some(gid))
                .map_err(|e| format!("chown {}: {e}", path.display()))?;
        }
        Ok(())
    }

    fn command(&self, program: &Path, dir: &Path) -> Command {
        let mut command = Command::new(program);
        command.current_dir(dir);
        if let Some((uid, gid)) = self.ids {
            // std drops the supplementary groups too when root sets a uid.
            command.uid(uid).gid(gid);
            command.env("HOME", dir);
        }
        command
    }
}
