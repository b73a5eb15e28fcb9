//! Arbitrary text through the Sigma loader: no panic; every document either compiles to rules the engine
//! accepts or is reported as a failure.
#![no_main]

use cloudtrail_detect::RuleSet;
use cloudtrail_detect::sigma::SigmaLoader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut loader = SigmaLoader::new();
    let parsed = loader.add_str("fuzz.yml", text);
    let loaded = loader.compile();
    assert!(loaded.rules.len() <= parsed);
    for failure in &loaded.failures {
        let _ = failure.to_string();
    }
    let _ = RuleSet::new(loaded.rules);
});
