//! `Reader::fold_inputs`: every listed input is finished exactly once, on the worker that read it, with
//! its listing position and the records it delivered, whatever it held (records, damage, nothing), and
//! every record names the position of its input. This is what lets a consumer put the workers' results
//! back in listing order (hunt does, so that its findings do not depend on the number of threads).

use std::sync::Arc;

use cloudtrail_reader::{Reader, ReaderOptions, Source};
use proptest::prelude::*;

/// One input's content: `records` records as JSON Lines, or damage, or nothing.
#[derive(Debug, Clone)]
enum Content {
    Records(usize),
    Damaged,
    Empty,
}

fn bytes(content: &Content, input: usize) -> Vec<u8> {
    match content {
        Content::Records(n) => (0..*n)
            .map(|i| {
                format!(
                    "{{\"eventVersion\":\"1.08\",\"eventTime\":\"2026-01-01T00:00:00Z\",\"eventID\":\"{input}-{i}\",\"eventName\":\"X\"}}\n"
                )
            })
            .collect::<String>()
            .into_bytes(),
        Content::Damaged => b"{\"Records\": [ {\"eventID\": ".to_vec(),
        Content::Empty => Vec::new(),
    }
}

/// Per worker: the (input index, input name, records delivered) of each finished input and the (input
/// index, input name) of each record.
type Seen = (Vec<(usize, String, u64)>, Vec<(usize, String)>);

fn read(contents: &[Content], threads: usize) -> Vec<Seen> {
    let sources: Vec<Source> = contents
        .iter()
        .enumerate()
        .map(|(i, content)| Source::Bytes {
            name: format!("input-{i}"),
            data: Arc::from(bytes(content, i)),
        })
        .collect();
    Reader::new(ReaderOptions::default().with_threads(threads))
        .fold_inputs(
            &sources,
            Seen::default,
            |(_, records), _, info| records.push((info.input_index, info.input.to_owned())),
            |(done, _), input| {
                done.push((
                    input.input_index,
                    input.input.to_owned(),
                    input.records_delivered,
                ))
            },
            |_| {},
        )
        .unwrap()
        .states
}

fn content() -> impl Strategy<Value = Content> {
    prop_oneof![
        3 => (0usize..20).prop_map(Content::Records),
        1 => Just(Content::Damaged),
        1 => Just(Content::Empty),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_input_is_done_once_in_order_per_worker(
        contents in proptest::collection::vec(content(), 0..24),
        threads in 1usize..4,
    ) {
        let states = read(&contents, threads);
        let mut done: Vec<(usize, String, u64)> = Vec::new();
        for (worker_done, records) in &states {
            // A worker takes inputs in listing order.
            prop_assert!(worker_done.windows(2).all(|pair| pair[0].0 < pair[1].0));
            // Its records come from the inputs it finished, each named by its position.
            for (index, name) in records {
                prop_assert_eq!(name, &format!("input-{index}"));
                prop_assert!(worker_done.iter().any(|(i, _, _)| i == index));
            }
            for (index, _, delivered) in worker_done {
                let counted = records.iter().filter(|(i, _)| i == index).count() as u64;
                prop_assert_eq!(*delivered, counted);
            }
            done.extend(worker_done.iter().cloned());
        }
        done.sort();
        let expected: Vec<(usize, String, u64)> = contents
            .iter()
            .enumerate()
            .map(|(i, content)| {
                let delivered = match content {
                    Content::Records(n) => *n as u64,
                    Content::Damaged | Content::Empty => 0,
                };
                (i, format!("input-{i}"), delivered)
            })
            .collect();
        prop_assert_eq!(done, expected);
    }
}
