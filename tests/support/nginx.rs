//! nginx from Debian, running the shipped `deploy/nginx.conf` in a
//! directory of the test's own: its two upstreams on the instances' ports,
//! an http and an https listener (a certificate made for the run), and a
//! header naming the instance that answered.

use std::path::Path;
use std::process::Stdio;

pub(crate) const NGINX: &str = "/usr/sbin/nginx";

/// nginx with `deploy/nginx.conf`, stopped when dropped.
pub(crate) struct Nginx {
    child: std::process::Child,
    /// Read for as long as nginx runs, so that the pipe never fills.
    pub(crate) stderr: crate::common::StderrLines,
}

impl Nginx {
    pub(crate) async fn start(dir: &Path, upstreams: [u16; 2], http: u16, https: u16) -> Nginx {
        let openssl = std::process::Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
            ])
            .arg("-keyout")
            .arg(dir.join("key.pem"))
            .arg("-out")
            .arg(dir.join("cert.pem"))
            .output()
            .expect("openssl, to make the https listener's certificate");
        assert!(
            openssl.status.success(),
            "{}",
            String::from_utf8_lossy(&openssl.stderr)
        );
        let shipped =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/nginx.conf")).unwrap();
        let d = dir.display();
        let site = [
            // Which instance answered, for the test to know.
            (
                "proxy_pass http://pico/;",
                "proxy_pass http://pico/; add_header X-Upstream $upstream_addr always;".to_owned(),
            ),
            ("127.0.0.1:8001", format!("127.0.0.1:{}", upstreams[0])),
            ("127.0.0.1:8002", format!("127.0.0.1:{}", upstreams[1])),
            (
                "listen 80;",
                format!(
                    "listen 127.0.0.1:{http}; listen 127.0.0.1:{https} ssl; \
                     ssl_certificate {d}/cert.pem; ssl_certificate_key {d}/key.pem;"
                ),
            ),
        ]
        .iter()
        .fold(shipped, |site, (from, to)| {
            assert!(site.contains(from), "deploy/nginx.conf no longer has `{from}`");
            site.replace(from, to)
        });
        std::fs::write(dir.join("site.conf"), site).unwrap();
        // Run as root, nginx's workers would become `nobody`, who may not
        // write the temporary files of request bodies here.
        let root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
        let main = format!(
            "{user}worker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log stderr notice;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  \
             include {d}/site.conf;\n}}\n",
            user = if root { "user root;\n" } else { "" },
        );
        std::fs::write(dir.join("nginx.conf"), main).unwrap();
        let mut child = std::process::Command::new(NGINX)
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .args(["-e", "stderr"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = crate::common::StderrLines::of(&mut child);
        // Stopped when dropped, also if it never gets ready.
        let mut nginx = Nginx { child, stderr };
        // The master opens its listening sockets before it starts its
        // workers, and says so at `notice`.
        nginx.stderr.wait_for("start worker process").await;
        nginx
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM: the master stops its workers at once, then itself.
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}
