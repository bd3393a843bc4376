//! The app's say in what it tells of itself, as `App` methods: the
//! OpenAPI document's title, version and OpenAPI version
//! (`describe::openapi`), and which functions it cannot describe.

use crate::application::app::App;

impl App {
    /// The title and version of the app's OpenAPI document, at
    /// `/openapi.json`. Without it, the title lists the modules and the
    /// version is `0.1.0`.
    #[must_use]
    pub fn openapi_info(mut self, title: &str, version: &str) -> Self {
        self.info = (Some(title.to_owned()), version.to_owned());
        self
    }

    /// The OpenAPI `/openapi.json` is written in: 3.1 unless told. Ask for
    /// 3.2 for a tool that checks each event of a stream against its
    /// schema, such as Schemathesis; generators of clients read 3.1.
    ///
    /// ```
    /// let app = pico::App::new().openapi_version(pico::OpenApiVersion::V3_2);
    /// ```
    #[cfg(feature = "openapi")]
    #[must_use]
    pub fn openapi_version(mut self, version: crate::OpenApiVersion) -> Self {
        self.openapi_version = version;
        self
    }

    /// The functions whose parameters or result have a type without
    /// `JsonSchema` (derive `pico::JsonSchema` on it): each is documented
    /// as any value, and listed here as `module.function: what`. Empty when
    /// the whole app is documented.
    #[cfg(feature = "openapi")]
    pub fn undocumented(&self) -> Vec<String> {
        crate::describe::openapi::undocumented(&self.modules)
    }
}
