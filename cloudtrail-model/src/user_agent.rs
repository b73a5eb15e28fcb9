//! [`UserAgent`]: what kind of client made a request, read from `userAgent`.

/// A `userAgent` classified: the client, an AI assistant driving it, and offensive-distribution markers.
///
/// ```
/// use cloudtrail_model::{AiAssistant, Client, UserAgent};
///
/// let agent = UserAgent::parse(
///     "aws-cli/2.36.19 md/awscrt#0.27.6 ua/2.1 os/linux#6.12 exec-env/AmazonQ-For-CLI Version/2.19.2 \
///      acp-client/kiro-tui md/command#iam.create-user",
/// );
/// assert_eq!(agent.client, Client::AwsCli { version: Some("2.36.19") });
/// assert_eq!(agent.ai_assistant, Some(AiAssistant::AmazonQCli { version: Some("2.19.2") }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserAgent<'a> {
    /// The text, without the square brackets S3 data events put around it.
    pub text: &'a str,
    /// The client program.
    pub client: Client<'a>,
    /// The AI assistant whose marker the text carries, if any.
    pub ai_assistant: Option<AiAssistant<'a>>,
    /// A penetration-testing distribution named in the text (typically in the OS part of an SDK user
    /// agent: `os/linux#6.5.0-kali3-amd64`), if any.
    pub offensive_distribution: Option<OffensiveDistribution>,
}

/// The client program behind a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Client<'a> {
    /// The AWS CLI (`aws-cli/<version>`).
    AwsCli {
        /// The CLI version.
        version: Option<&'a str>,
    },
    /// An AWS SDK: Boto3/botocore, `aws-sdk-<language>`, the Java SDK, ...
    Sdk {
        /// The SDK's product token, e.g. `Boto3`, `aws-sdk-go-v2`.
        name: &'a str,
    },
    /// AWS Tools for PowerShell.
    PowerShell,
    /// HashiCorp Terraform (or its AWS provider).
    Terraform,
    /// The AWS Management Console.
    Console,
    /// A web browser outside the console's own user agents (`Mozilla/5.0 ...`).
    Browser,
    /// An AWS service acting itself, e.g. `lambda.amazonaws.com`.
    AwsService {
        /// The service's host name.
        service: &'a str,
    },
    /// `AWS Internal` or `AWS Internal/<n>`.
    AwsInternal,
    /// Anything else.
    Other,
}

/// An AI assistant that ran the request, recognised by the marker it adds to the user agent.
///
/// Amazon Q Developer and Kiro add `exec-env/AmazonQ-For-CLI` or `exec-env/AmazonQ-For-IDE` followed by its
/// version after a space or a dash (`... Version/2.19.2`, `...-Version/2.21.1`, `...-Version-1.15.0`), the
/// client `acp-client/kiro...`, or, in the CLI's own SDK calls, `app/AmazonQ-For-CLI`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AiAssistant<'a> {
    /// Amazon Q Developer CLI.
    AmazonQCli {
        /// The assistant's version, when the marker carries it.
        version: Option<&'a str>,
    },
    /// Amazon Q Developer in an IDE.
    AmazonQIde {
        /// The assistant's version, when the marker carries it.
        version: Option<&'a str>,
    },
    /// Kiro, recognised only by its ACP client token.
    Kiro,
}

/// A penetration-testing Linux distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OffensiveDistribution {
    /// Kali Linux.
    Kali,
    /// Parrot OS.
    Parrot,
    /// Pentoo.
    Pentoo,
    /// BlackArch.
    BlackArch,
}

impl OffensiveDistribution {
    /// The distribution's name in lower case, as it appears in user agents.
    pub fn as_str(&self) -> &'static str {
        match self {
            OffensiveDistribution::Kali => "kali",
            OffensiveDistribution::Parrot => "parrot",
            OffensiveDistribution::Pentoo => "pentoo",
            OffensiveDistribution::BlackArch => "blackarch",
        }
    }
}

/// The operating system a user agent names: SDKs and the CLI write it as a product (`Darwin/22.5.0`,
/// `Linux/5.10`, `Windows/10`, `os/macos`, `linux/v18` in the JavaScript SDK), browsers in their comment
/// (`Macintosh; Intel Mac OS X`, `Windows NT 10.0`, `X11; Linux x86_64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Os {
    /// Linux (and Android).
    Linux,
    /// macOS.
    MacOs,
    /// Windows.
    Windows,
}

impl Os {
    /// The name in lower case: `linux`, `macos`, `windows`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Os::Linux => "linux",
            Os::MacOs => "macos",
            Os::Windows => "windows",
        }
    }
}

impl<'a> UserAgent<'a> {
    /// The operating system the text names, if any (each name as a word, case ignored; macOS and
    /// Windows are looked for before Linux).
    ///
    /// ```
    /// use cloudtrail_model::{Os, UserAgent};
    ///
    /// let cli = UserAgent::parse("aws-cli/2.13.5 Python/3.11.4 Darwin/22.5.0 exe/x86_64 command/s3.ls");
    /// assert_eq!(cli.os(), Some(Os::MacOs));
    /// assert_eq!(UserAgent::parse("aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5").os(), Some(Os::Linux));
    /// assert_eq!(UserAgent::parse("lambda.amazonaws.com").os(), None);
    /// ```
    pub fn os(&self) -> Option<Os> {
        let named = |names: &[&str]| {
            names
                .iter()
                .any(|name| contains_word_ignore_case(self.text, name))
        };
        if named(&["darwin", "macos", "macintosh", "mac os x"]) {
            Some(Os::MacOs)
        } else if named(&["windows", "win32", "win64"]) {
            Some(Os::Windows)
        } else if named(&["linux"]) {
            Some(Os::Linux)
        } else {
            None
        }
    }

    /// The client and operating system, with versions left out: what stays the same from one call of a
    /// program to the next on one machine, and changes when the same credentials are used from another
    /// kind of machine or tool. `aws-cli/macos`, `boto3/linux`, `aws-sdk-go-v2/linux`, `terraform/linux`,
    /// `browser/windows`, `console`, `aws-internal`, the service's host name for a service acting itself,
    /// and for any other client its first product name in lower case (at most 32 characters), with the
    /// operating system when one is named. An offensive distribution takes the operating system's place
    /// (`boto3/kali`). The empty text is `empty`.
    ///
    /// ```
    /// use cloudtrail_model::UserAgent;
    ///
    /// let family = |text| UserAgent::parse(text).family();
    /// assert_eq!(family("aws-cli/2.13.5 Python/3.11.4 Darwin/22.5.0 exe/x86_64"), "aws-cli/macos");
    /// assert_eq!(family("aws-cli/1.16.102 Python/2.7.16 Linux/4.14.88 botocore/1.12.92"), "aws-cli/linux");
    /// assert_eq!(family("Boto3/1.26 os/linux#6.5.0-kali3-amd64 md/arch#x86_64"), "boto3/kali");
    /// assert_eq!(family("ec2.amazonaws.com"), "ec2.amazonaws.com");
    /// assert_eq!(family("curl/8.4.0"), "curl");
    /// ```
    pub fn family(&self) -> String {
        let client = match self.client {
            Client::AwsCli { .. } => "aws-cli".to_owned(),
            Client::Sdk { name } => name.to_ascii_lowercase(),
            Client::PowerShell => "powershell".to_owned(),
            Client::Terraform => "terraform".to_owned(),
            Client::Console => return "console".to_owned(),
            Client::Browser => "browser".to_owned(),
            Client::AwsService { service } => return service.to_ascii_lowercase(),
            Client::AwsInternal => return "aws-internal".to_owned(),
            Client::Other => {
                let first = self.text.split_whitespace().next().unwrap_or_default();
                let name: String = first
                    .split(['/', '#', '(', ';', ','])
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .take(32)
                    .collect::<String>()
                    .to_lowercase();
                if name.is_empty() {
                    return "empty".to_owned();
                }
                name
            }
        };
        let os = self
            .offensive_distribution
            .map(|d| d.as_str())
            .or_else(|| self.os().map(|os| os.as_str()));
        match os {
            Some(os) => format!("{client}/{os}"),
            None => client,
        }
    }

    /// Classifies a user agent.
    pub fn parse(text: &'a str) -> Self {
        let text = text
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .unwrap_or(text);
        UserAgent {
            text,
            client: client(text),
            ai_assistant: ai_assistant(text),
            offensive_distribution: offensive_distribution(text),
        }
    }
}

fn client(text: &str) -> Client<'_> {
    if text.starts_with("AWS Internal") {
        return Client::AwsInternal;
    }
    if let Some(rest) = text.strip_prefix("aws-cli/") {
        return Client::AwsCli {
            version: rest.split_whitespace().next().filter(|v| !v.is_empty()),
        };
    }
    if text.starts_with("S3Console/")
        || text.starts_with("console.")
        || text == "signin.amazonaws.com"
        || text.starts_with("AWS-Console")
    {
        return Client::Console;
    }
    if !text.contains(' ') && text.ends_with(".amazonaws.com") {
        return Client::AwsService { service: text };
    }
    let lower_has = |needle: &str| contains_ignore_case(text, needle);
    if lower_has("terraform") {
        return Client::Terraform;
    }
    if lower_has("powershell") {
        return Client::PowerShell;
    }
    for product in text.split_whitespace() {
        let name = product.split('/').next().unwrap_or(product);
        if name.eq_ignore_ascii_case("boto3")
            || name.eq_ignore_ascii_case("botocore")
            || name.starts_with("aws-sdk-")
            || name.starts_with("aws-chalice")
            || name == "aws-internal"
        {
            return Client::Sdk { name };
        }
    }
    if text.starts_with("Mozilla/") {
        return Client::Browser;
    }
    Client::Other
}

fn ai_assistant(text: &str) -> Option<AiAssistant<'_>> {
    for (marker, ide) in [
        ("exec-env/AmazonQ-For-CLI", false),
        ("exec-env/AmazonQ-For-IDE", true),
        ("app/AmazonQ-For-CLI", false),
    ] {
        if let Some(start) = text.find(marker) {
            let version = marker_version(&text[start + marker.len()..]);
            return Some(if ide {
                AiAssistant::AmazonQIde { version }
            } else {
                AiAssistant::AmazonQCli { version }
            });
        }
    }
    text.contains("acp-client/kiro")
        .then_some(AiAssistant::Kiro)
}

/// The version after a marker: ` Version/2.19.2`, `-Version/2.21.1-acp...`, `-Version-1.15.0`.
fn marker_version(after: &str) -> Option<&str> {
    let rest = after
        .strip_prefix(" Version/")
        .or_else(|| after.strip_prefix("-Version/"))
        .or_else(|| after.strip_prefix("-Version-"))?;
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let version = rest[..end].trim_end_matches('.');
    (!version.is_empty()).then_some(version)
}

fn offensive_distribution(text: &str) -> Option<OffensiveDistribution> {
    [
        OffensiveDistribution::Kali,
        OffensiveDistribution::Parrot,
        OffensiveDistribution::Pentoo,
        OffensiveDistribution::BlackArch,
    ]
    .into_iter()
    .find(|distribution| contains_word_ignore_case(text, distribution.as_str()))
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// True when `needle` occurs with no letter right before or after it, so `kali` matches in
/// `6.5.0-kali3-amd64` but not in `alkaline`.
fn contains_word_ignore_case(haystack: &str, needle: &str) -> bool {
    let h = haystack.as_bytes();
    let n = needle.len();
    (0..h.len().saturating_sub(n - 1)).any(|i| {
        h[i..i + n].eq_ignore_ascii_case(needle.as_bytes())
            && (i == 0 || !h[i - 1].is_ascii_alphabetic())
            && h.get(i + n).is_none_or(|c| !c.is_ascii_alphabetic())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_operating_systems_and_families() {
        let cases = [
            // Real shapes: the CLI v1 and v2, Boto3, the Go, Java and JavaScript SDKs, browsers.
            (
                "aws-cli/2.13.5 Python/3.11.4 Darwin/22.5.0 exe/x86_64 prompt/off command/s3.ls",
                Some(Os::MacOs),
                "aws-cli/macos",
            ),
            (
                "aws-cli/2.15.30 Python/3.11.8 Windows/10 exe/AMD64 prompt/off",
                Some(Os::Windows),
                "aws-cli/windows",
            ),
            (
                "aws-cli/1.16.102 Python/2.7.16 Linux/4.14.88-72.76.amzn1.x86_64 botocore/1.12.92",
                Some(Os::Linux),
                "aws-cli/linux",
            ),
            (
                "Boto3/1.26.0 Python/3.10.6 Linux/5.15.0-1019-aws Botocore/1.29.0",
                Some(Os::Linux),
                "boto3/linux",
            ),
            (
                "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux",
                Some(Os::Linux),
                "aws-sdk-go-v2/linux",
            ),
            (
                "aws-sdk-rust/1.3.9 os/macos lang/rust#1.87.0",
                Some(Os::MacOs),
                "aws-sdk-rust/macos",
            ),
            (
                "aws-sdk-nodejs/2.1354.0 win32/v18.16.0 promise",
                Some(Os::Windows),
                "aws-sdk-nodejs/windows",
            ),
            (
                "aws-sdk-java/1.12.470 Linux/5.10.178-162.673.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/25.372-b07",
                Some(Os::Linux),
                "aws-sdk-java/linux",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36",
                Some(Os::MacOs),
                "browser/macos",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0",
                Some(Os::Linux),
                "browser/linux",
            ),
            (
                "Boto3/1.26 os/linux#6.5.0-kali3-amd64 md/arch#x86_64",
                Some(Os::Linux),
                "boto3/kali",
            ),
            (
                "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.65.0",
                None,
                "terraform",
            ),
            ("console.amazonaws.com", None, "console"),
            ("AWS Internal", None, "aws-internal"),
            ("Elastic Load Balancing", None, "elastic"),
            ("python-requests/2.31.0", None, "python-requests"),
            ("", None, "empty"),
        ];
        for (text, os, family) in cases {
            let agent = UserAgent::parse(text);
            assert_eq!(agent.os(), os, "{text}");
            assert_eq!(agent.family(), family, "{text}");
        }
        // A word, not a substring: `darwinism` and `alinux` name nothing.
        assert_eq!(UserAgent::parse("darwinism/1 alinux/2").os(), None);
        // Versions do not change the family.
        assert_eq!(
            UserAgent::parse("aws-cli/2.1.0 Python/3.8 Darwin/20.1.0").family(),
            UserAgent::parse("aws-cli/2.17.60 Python/3.12.6 Darwin/23.6.0").family()
        );
        // A long product name is cut to 32 characters.
        let long = format!("{}/1.0", "x".repeat(200));
        assert_eq!(UserAgent::parse(&long).family().len(), 32);
    }

    #[test]
    fn recognises_every_real_assistant_spelling() {
        let cases = [
            (
                "aws-cli/2.34.13 md/awscrt#0.1 exec-env/AmazonQ-For-IDE Version/2.0.0 md/command#s3.ls",
                Some(AiAssistant::AmazonQIde {
                    version: Some("2.0.0"),
                }),
            ),
            (
                "aws-cli/2.30 exec-env/AmazonQ-For-CLI-Version/2.21.1-acp-client/kiro-tui",
                Some(AiAssistant::AmazonQCli {
                    version: Some("2.21.1"),
                }),
            ),
            (
                "aws-cli/2.15 exec-env/AmazonQ-For-CLI-Version-1.15.0 md/command#ec2.run-instances",
                Some(AiAssistant::AmazonQCli {
                    version: Some("1.15.0"),
                }),
            ),
            (
                "aws-sdk-rust/1.3.9 os/macos lang/rust#1.87.0 app/AmazonQ-For-CLI",
                Some(AiAssistant::AmazonQCli { version: None }),
            ),
            ("aws-cli/2.36 acp-client/kiro-tui", Some(AiAssistant::Kiro)),
            ("aws-cli/2.36 md/command#iam.list-users", None),
        ];
        for (text, expected) in cases {
            assert_eq!(UserAgent::parse(text).ai_assistant, expected, "{text}");
        }
    }

    #[test]
    fn classifies_clients() {
        let cases = [
            (
                "aws-cli/1.16.102 Python/2.7.16 Linux/4.14 botocore/1.12.92",
                Client::AwsCli {
                    version: Some("1.16.102"),
                },
            ),
            (
                "Boto3/1.34.1 md/Botocore#1.34.1 ua/2.0 os/linux",
                Client::Sdk { name: "Boto3" },
            ),
            (
                "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5",
                Client::Sdk {
                    name: "aws-sdk-go-v2",
                },
            ),
            (
                "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.65.0",
                Client::Terraform,
            ),
            (
                "AWSPowerShell.Common/4.1.90.0 .NET_Runtime/4.0",
                Client::PowerShell,
            ),
            ("console.amazonaws.com", Client::Console),
            ("signin.amazonaws.com", Client::Console),
            (
                "S3Console/0.4, aws-internal/3 aws-sdk-java/1.11.1030",
                Client::Console,
            ),
            (
                "lambda.amazonaws.com",
                Client::AwsService {
                    service: "lambda.amazonaws.com",
                },
            ),
            ("AWS Internal/3", Client::AwsInternal),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64)", Client::Browser),
            ("curl/8.0", Client::Other),
        ];
        for (text, expected) in cases {
            assert_eq!(UserAgent::parse(text).client, expected, "{text}");
        }
        assert_eq!(
            UserAgent::parse("[aws-cli/2.17.60 Python/3.12]").text,
            "aws-cli/2.17.60 Python/3.12"
        );
    }

    #[test]
    fn finds_offensive_distributions_as_words() {
        let kali = UserAgent::parse("Boto3/1.26 os/linux#6.5.0-kali3-amd64 md/arch#x86_64");
        assert_eq!(
            kali.offensive_distribution,
            Some(OffensiveDistribution::Kali)
        );
        assert_eq!(
            UserAgent::parse("aws-cli/2 distrib/parrot.5").offensive_distribution,
            Some(OffensiveDistribution::Parrot)
        );
        assert_eq!(
            UserAgent::parse("alkaline-tool/1.0 parroting").offensive_distribution,
            None
        );
    }
}
