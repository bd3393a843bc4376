//! Debug mode from the environment (`PICO_DEBUG`), and where it is not
//! honoured: a variable left in an environment must not show stack traces
//! to the world.

use crate::application::app::App;

impl App {
    /// Turns off debug mode that only `PICO_DEBUG` turned on, for a server
    /// that listens beyond loopback, or for the production server (whose
    /// clients come through a proxy on loopback): a variable left in an
    /// environment must not show stack traces to the world.
    pub(crate) fn refuse_env_debug(&mut self, address: std::net::SocketAddr, production: bool) {
        if !self.debug_from_env {
            return;
        }
        if production {
            self.debug = false;
            tracing::error!(
                target: "pico",
                "PICO_DEBUG is set but pico::Server is the production server: debug mode stays off (turn it on \
                 in code with `App::debug(true)` if you really mean it)"
            );
        } else if !address.ip().is_loopback() {
            self.debug = false;
            tracing::error!(
                target: "pico",
                "PICO_DEBUG is set but the server listens on {address}, beyond loopback: debug mode stays off \
                 (turn it on in code with `App::debug(true)` if you really mean it)"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::application::app::App;

    #[test]
    fn debug_from_the_environment_stays_off_beyond_loopback() {
        let mut app = App::new().debug(true);
        app.debug_from_env = true;
        app.refuse_env_debug("127.0.0.1:4242".parse().unwrap(), false);
        assert!(app.debug, "loopback keeps it");
        app.refuse_env_debug("0.0.0.0:4242".parse().unwrap(), false);
        assert!(!app.debug, "beyond loopback, PICO_DEBUG alone is not enough");
        let mut app = App::new().debug(true);
        app.debug_from_env = true;
        app.refuse_env_debug("127.0.0.1:4242".parse().unwrap(), true);
        assert!(!app.debug, "the production server ignores PICO_DEBUG");
        let mut app = App::new().debug(true);
        app.refuse_env_debug("0.0.0.0:4242".parse().unwrap(), true);
        assert!(app.debug, "in code, it is the app's choice");
    }
}
