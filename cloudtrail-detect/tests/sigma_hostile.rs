//! Hostile Sigma rule files: each case loads without panicking, is refused by a bounded check before it
//! can cost memory or stack (the alias count, the condition depth, the regex size limits: unit tests in
//! the crate assert the counters themselves), and fails with an error naming the file, the rule and the
//! cause, while the good rules beside it still load.
#![cfg(feature = "sigma")]

use std::path::{Path, PathBuf};

use cloudtrail_detect::RuleSet;
use cloudtrail_detect::sigma::{SigmaError, SigmaLoader, SigmaRules};
use cloudtrail_model::Event;

fn rule(name: &str, detection: &str) -> String {
    format!(
        "title: {name}\nid: {name}\nlevel: high\nlogsource: {{product: aws, service: cloudtrail}}\ndetection:\n{detection}"
    )
}

const GOOD: &str = "    selection:\n        eventName: GetObject\n    condition: selection\n";

fn load(files: &[(&str, String)]) -> SigmaRules {
    let mut loader = SigmaLoader::new();
    for (name, text) in files {
        loader.add_str(name, text);
    }
    loader.compile()
}

fn messages(loaded: &SigmaRules) -> Vec<String> {
    loaded.failures.iter().map(ToString::to_string).collect()
}

/// Nine levels of ten aliases each, under 700 bytes: 10^9 nodes once expanded.
fn alias_bomb() -> String {
    let mut text = String::from(
        "title: bomb\nlogsource: {product: aws, service: cloudtrail}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for level in 1..9 {
        let p = level - 1;
        text.push_str(&format!(
            "a{level}: &a{level} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    text.push_str("detection:\n    selection:\n        eventName: *a8\n    condition: selection\n");
    text
}

#[test]
fn an_alias_bomb_is_refused_before_it_is_built() {
    let bomb = alias_bomb();
    assert!(bomb.len() < 700, "{}", bomb.len());
    let loaded = load(&[("bomb.yml", bomb), ("good.yml", rule("good", GOOD))]);
    assert_eq!(loaded.rules.len(), 1, "the good rule still loads");
    let failure = &loaded.failures[0];
    assert!(matches!(failure.error, SigmaError::AliasExpansion { .. }));
    assert!(
        messages(&loaded)[0].starts_with("bomb.yml: aliases expand to more than 100000 YAML nodes"),
        "{:?}",
        messages(&loaded)
    );
}

#[test]
fn aliases_within_the_bound_load_and_a_long_aliased_string_counts_its_bytes() {
    let shared = "title: shared\nid: shared\nlogsource: {product: aws, service: cloudtrail}\nnames: &names [GetObject, PutObject]\ndetection:\n    selection:\n        eventName: *names\n    condition: selection\n";
    let loaded = load(&[("shared.yml", shared.to_owned())]);
    assert!(loaded.failures.is_empty(), "{:?}", messages(&loaded));
    // 64 KiB of text aliased 100 times is 6.4 MB once built: over the byte bound, with few nodes.
    let long = "x".repeat(64 << 10);
    let mut text = format!("title: long\nlogsource: {{product: aws}}\ns: &s {long}\nl: [");
    text.push_str(&vec!["*s"; 100].join(", "));
    text.push_str("]\ndetection: {selection: {eventName: x}, condition: selection}\n");
    let loaded = load(&[("long.yml", text)]);
    assert!(
        matches!(loaded.failures[0].error, SigmaError::AliasExpansion { .. }),
        "{:?}",
        messages(&loaded)
    );
}

#[test]
fn a_condition_nested_past_the_limit_is_an_error_not_a_stack_overflow() {
    for condition in [
        format!("{}selection{}", "(".repeat(100_000), ")".repeat(100_000)),
        format!("{}selection", "not ".repeat(100_000)),
    ] {
        let text = rule(
            "deep",
            &format!("    selection:\n        eventName: x\n    condition: {condition}\n"),
        );
        let loaded = load(&[("deep.yml", text), ("good.yml", rule("good", GOOD))]);
        assert_eq!(loaded.rules.len(), 1);
        let message = &messages(&loaded)[0];
        assert!(
            message.starts_with("deep.yml: rule \"deep\": condition ")
                && message.contains("more than 64 deep"),
            "{}",
            &message[..message.len().min(400)]
        );
        // The error quotes the start of the condition, not all 200,000 characters.
        assert!(message.len() < 400, "{} characters", message.len());
    }
    // 64 levels are fine.
    let text = rule(
        "ok",
        &format!(
            "    selection:\n        eventName: x\n    condition: {}selection{}\n",
            "(".repeat(64),
            ")".repeat(64)
        ),
    );
    assert!(load(&[("ok.yml", text)]).failures.is_empty());
}

#[test]
fn base64offset_of_one_byte_is_refused_instead_of_matching_everything() {
    let one = rule(
        "one",
        "    selection:\n        requestParameters.userData|base64offset|contains: 'a'\n    condition: selection\n",
    );
    let loaded = load(&[("one.yml", one)]);
    assert!(loaded.rules.is_empty());
    assert!(
        messages(&loaded)[0].starts_with(
            "one.yml: rule \"one\": field `requestParameters.userData`: a `base64offset` value must be at least two bytes"
        ),
        "{:?}",
        messages(&loaded)
    );
    // Two bytes give three real patterns: the encoding of "ab" at any alignment matches, other text not.
    let two = rule(
        "two",
        "    selection:\n        requestParameters.userData|base64offset|contains: 'ab'\n    condition: selection\n",
    );
    let loaded = load(&[("two.yml", two)]);
    assert!(loaded.failures.is_empty(), "{:?}", messages(&loaded));
    let rules = RuleSet::new(loaded.rules).unwrap();
    let fires = |user_data: &str| {
        let text = format!(
            r#"{{"eventName":"RunInstances","requestParameters":{{"userData":"{user_data}"}}}}"#
        );
        let event = Event::from_json(&text).unwrap();
        let mut matches = Vec::new();
        rules.matches(&event, &mut matches);
        !matches.is_empty()
    };
    // base64("ab") = YWI=, base64("xab") = eGFi, base64("xxab") = eHhhYg==
    assert!(fires("YWI="));
    assert!(fires("eGFi"));
    assert!(fires("eHhhYg=="));
    assert!(
        !fires("Y3VybA=="),
        "base64 of curl holds none of the patterns"
    );
}

#[test]
fn rule_regexes_are_bounded_and_errors_name_the_rule() {
    for (name, pattern) in [
        // Compiles to far more than the 1 MiB size limit.
        ("huge", r"(\w{100}){100}"),
        // Nests deeper than 64.
        (
            "nested",
            &format!("{}a{}", "(".repeat(100), ")".repeat(100)),
        ),
    ] {
        let text = rule(
            name,
            &format!(
                "    selection:\n        userAgent|re: '{pattern}'\n    condition: selection\n"
            ),
        );
        let loaded = load(&[(&format!("{name}.yml"), text)]);
        assert!(loaded.rules.is_empty(), "{name}");
        let message = &messages(&loaded)[0];
        assert!(
            message.starts_with(&format!(
                "{name}.yml: rule \"{name}\": field `userAgent`: invalid regular expression"
            )),
            "{message}"
        );
    }
    // An ordinary pattern is unaffected.
    let text = rule(
        "fine",
        "    selection:\n        userAgent|re: '^aws-cli/[0-9.]+ '\n    condition: selection\n",
    );
    assert!(load(&[("fine.yml", text)]).failures.is_empty());
}

/// A fresh directory under the system's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cloudtrail-detect-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[cfg(unix)]
#[test]
fn a_tree_with_bad_entries_reports_each_and_loads_the_rest() {
    use std::os::unix::fs::symlink;
    let root = scratch("tree");
    let write = |path: &Path, text: &str| std::fs::write(path, text).unwrap();
    write(&root.join("a_good.yml"), &rule("a", GOOD));
    std::fs::create_dir(root.join("b_sub")).unwrap();
    write(&root.join("b_sub/b_good.yml"), &rule("b", GOOD));
    // A link back to the root (a cycle) and a second link to the same folder.
    symlink(&root, root.join("b_sub/loop")).unwrap();
    symlink(root.join("b_sub"), root.join("c_again")).unwrap();
    // A dangling link, named like a rule and like a folder.
    symlink(root.join("missing.yml"), root.join("d_dangling.yml")).unwrap();
    symlink(root.join("missing"), root.join("e_dangling_dir")).unwrap();
    // A file over the size limit.
    write(&root.join("f_huge.yml"), &"#".repeat((1 << 20) + 1));
    // A linked rule file is followed.
    std::fs::create_dir(root.join("g_elsewhere")).unwrap();
    write(&root.join("g_elsewhere/g.yml.txt"), &rule("g", GOOD));
    symlink(
        root.join("g_elsewhere/g.yml.txt"),
        root.join("h_linked.yml"),
    )
    .unwrap();
    write(&root.join("i_last.yml"), &rule("i", GOOD));

    let mut loader = SigmaLoader::new();
    let added = loader.add_path(&root);
    let loaded = loader.compile();
    let ids: Vec<&str> = loaded.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "g", "i"], "every good rule, once");
    assert_eq!(added, 4);
    let found: Vec<String> = messages(&loaded)
        .into_iter()
        .map(|m| m.replace(&*root.to_string_lossy(), "ROOT"))
        .collect();
    let canonical = std::fs::canonicalize(&root).unwrap();
    assert_eq!(found.len(), 5, "{found:#?}");
    assert!(
        found[0].starts_with("ROOT/b_sub/loop: leads to"),
        "{found:#?}"
    );
    assert!(found[1].starts_with("ROOT/c_again: leads to"), "{found:#?}");
    assert!(
        found[2].starts_with("ROOT/d_dangling.yml: cannot read"),
        "{found:#?}"
    );
    assert!(
        found[3].starts_with("ROOT/e_dangling_dir: cannot read"),
        "{found:#?}"
    );
    assert!(
        found[4].starts_with("ROOT/f_huge.yml: 1048577 bytes, over the limit of 1048576"),
        "{found:#?}"
    );
    assert!(matches!(
        &loaded.failures[0].error,
        SigmaError::DirectoryRevisited(path) if *path == canonical
    ));
    let _ = std::fs::remove_dir_all(&root);
}
