//! [`OcsfVersion`]: the OCSF schema releases the converter targets.

use std::fmt;
use std::str::FromStr;

/// An OCSF schema release the converter can produce.
///
/// The default, 1.1.0 with the `cloud` and `datetime` profiles, is what Amazon Security Lake writes for
/// CloudTrail (its "source version 2"); 1.5.0 is what CloudWatch Logs' `parseToOCSF` offers next to it, and
/// 1.8.0 is the newest release the project validates against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum OcsfVersion {
    /// OCSF 1.1.0, as Security Lake source version 2 writes it.
    #[default]
    V1_1_0,
    /// OCSF 1.5.0.
    V1_5_0,
    /// OCSF 1.8.0.
    V1_8_0,
}

impl OcsfVersion {
    /// Every supported release, oldest first.
    pub const ALL: [OcsfVersion; 3] = [
        OcsfVersion::V1_1_0,
        OcsfVersion::V1_5_0,
        OcsfVersion::V1_8_0,
    ];

    /// The release as OCSF writes it in `metadata.version`, e.g. `"1.1.0"`.
    pub fn as_str(self) -> &'static str {
        match self {
            OcsfVersion::V1_1_0 => "1.1.0",
            OcsfVersion::V1_5_0 => "1.5.0",
            OcsfVersion::V1_8_0 => "1.8.0",
        }
    }
}

impl fmt::Display for OcsfVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text named no supported OCSF release.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported OCSF version {given:?}: expected one of 1.1.0, 1.5.0, 1.8.0")]
pub struct UnknownVersion {
    /// What was given.
    pub given: String,
}

impl FromStr for OcsfVersion {
    type Err = UnknownVersion;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim().trim_start_matches(['v', 'V']);
        OcsfVersion::ALL
            .into_iter()
            .find(|version| {
                version.as_str() == trimmed || version.as_str().strip_suffix(".0") == Some(trimmed)
            })
            .ok_or_else(|| UnknownVersion {
                given: text.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_it_prints_and_short_forms() {
        for version in OcsfVersion::ALL {
            assert_eq!(version.as_str().parse::<OcsfVersion>(), Ok(version));
        }
        assert_eq!("v1.5".parse::<OcsfVersion>(), Ok(OcsfVersion::V1_5_0));
        assert_eq!(
            "1.3.0".parse::<OcsfVersion>(),
            Err(UnknownVersion {
                given: "1.3.0".into()
            })
        );
    }
}
