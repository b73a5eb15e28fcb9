//! Arbitrary bytes → record → OCSF mapping → schema validation at every release: the mapping either
//! gives a record that validates, or a clear reason (MapError); never a panic, never an invalid record.
#![no_main]

use cloudtrail_model::Event;
use cloudtrail_ocsf::{Mapper, MappingOptions, OcsfVersion, validate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(event) = Event::from_slice(data) else {
        return;
    };
    for version in OcsfVersion::ALL {
        let mapper = Mapper::new(MappingOptions::for_version(version));
        match mapper.map(&event) {
            Ok(record) => {
                if let Err(error) = validate(&record.to_json(), version) {
                    panic!("mapped record is invalid at {version}: {error}");
                }
            }
            Err(error) => assert!(!error.to_string().is_empty()),
        }
    }
});
