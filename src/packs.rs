//! The rule packs shipped inside coop, so that `use rules us-wa` works wherever coop is
//! installed. Each is a `.coop` file in `rules/`, compiled in; a local pack file is read the
//! same way, so the two behave the same.

/// A rule pack shipped with coop.
#[derive(Clone, Copy, Debug)]
pub struct ShippedPack {
    /// The name `use rules` takes: `us-wa`.
    pub name: &'static str,
    /// The pack's text, as in `rules/<name>.coop`.
    pub text: &'static str,
}

macro_rules! shipped {
    ($($name:literal),* $(,)?) => {
        /// Every shipped pack, by name.
        pub const SHIPPED: &[ShippedPack] = &[
            $(ShippedPack { name: $name, text: include_str!(concat!("../rules/", $name, ".coop")) },)*
        ];
    };
}

shipped![
    "us-wa",
    "us-va",
    "us-ca",
    "us-tx",
    "naspo-valuepoint",
    "gsa-cooperative",
    "eu-2014-24",
    "fta",
    "usage-reporting",
];

/// The shipped pack of this name.
pub fn shipped(name: &str) -> Option<&'static ShippedPack> {
    SHIPPED.iter().find(|pack| pack.name == name)
}

impl ShippedPack {
    /// How diagnostics and reports name the pack's file.
    pub fn file_name(&self) -> String {
        format!("coop:rules/{}.coop", self.name)
    }
}
