//! Sigma `condition` expressions: `and`, `or`, `not`, parentheses, `1 of`/`any of`/`all of` with
//! wildcards and `them`, over the named selections.

use super::SigmaError;
use crate::condition::Condition;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    Word(String),
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Token>| {
        if !word.is_empty() {
            out.push(Token::Word(std::mem::take(word)));
        }
    };
    for c in text.chars() {
        match c {
            '(' | ')' => {
                flush(&mut word, &mut out);
                out.push(if c == '(' { Token::Open } else { Token::Close });
            }
            c if c.is_whitespace() => flush(&mut word, &mut out),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut out);
    out
}

/// How deeply a condition may nest parentheses and `not`s (real rules nest two or three): the parser
/// and the compiled condition recurse that deep, so a deeper one is refused, not a stack overflow.
pub(crate) const MAX_CONDITION_DEPTH: usize = 64;

/// How much of a refused condition an error quotes.
const QUOTED_CONDITION: usize = 200;

/// The condition as an error quotes it: its first [`QUOTED_CONDITION`] characters.
fn quoted(text: &str) -> String {
    let mut condition: String = text.chars().take(QUOTED_CONDITION).collect();
    if condition.len() < text.len() {
        condition.push_str("...");
    }
    condition
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    at: usize,
    selections: &'a [(String, Condition)],
    /// Parentheses and `not`s open at this point.
    depth: usize,
}

/// Parses `text` over the selections (name, compiled condition).
pub(crate) fn parse(
    text: &str,
    selections: &[(String, Condition)],
) -> Result<Condition, SigmaError> {
    if text.contains('|') {
        return Err(SigmaError::Condition {
            condition: quoted(text),
            reason: "Sigma 1.0 aggregations (`| count()`, `near`) are not supported; write a correlation rule instead".to_owned(),
        });
    }
    let mut parser = Parser {
        text,
        tokens: tokens(text),
        at: 0,
        selections,
        depth: 0,
    };
    let condition = parser.or()?;
    if parser.at != parser.tokens.len() {
        return Err(parser.error(format!("unexpected {:?}", parser.tokens[parser.at])));
    }
    Ok(condition)
}

impl Parser<'_> {
    fn error(&self, reason: String) -> SigmaError {
        SigmaError::Condition {
            condition: quoted(self.text),
            reason,
        }
    }

    /// Enters one more level of parentheses or `not`, refusing past [`MAX_CONDITION_DEPTH`].
    fn deeper(&mut self) -> Result<(), SigmaError> {
        self.depth += 1;
        if self.depth > MAX_CONDITION_DEPTH {
            return Err(self.error(format!(
                "nests parentheses and `not` more than {MAX_CONDITION_DEPTH} deep"
            )));
        }
        Ok(())
    }

    fn peek_word(&self) -> Option<String> {
        match self.tokens.get(self.at) {
            Some(Token::Word(w)) => Some(w.to_ascii_lowercase()),
            _ => None,
        }
    }

    fn or(&mut self) -> Result<Condition, SigmaError> {
        let mut any = vec![self.and()?];
        while self.peek_word().as_deref() == Some("or") {
            self.at += 1;
            any.push(self.and()?);
        }
        Ok(if any.len() == 1 {
            any.remove(0)
        } else {
            Condition::Any(any)
        })
    }

    fn and(&mut self) -> Result<Condition, SigmaError> {
        let mut all = vec![self.not()?];
        while self.peek_word().as_deref() == Some("and") {
            self.at += 1;
            all.push(self.not()?);
        }
        Ok(if all.len() == 1 {
            all.remove(0)
        } else {
            Condition::All(all)
        })
    }

    fn not(&mut self) -> Result<Condition, SigmaError> {
        if self.peek_word().as_deref() == Some("not") {
            self.at += 1;
            self.deeper()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(inner.not());
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Condition, SigmaError> {
        let Some(token) = self.tokens.get(self.at).cloned() else {
            return Err(self.error("ends too early".to_owned()));
        };
        self.at += 1;
        match token {
            Token::Open => {
                self.deeper()?;
                let inner = self.or()?;
                if self.tokens.get(self.at) != Some(&Token::Close) {
                    return Err(self.error("a `(` is not closed".to_owned()));
                }
                self.at += 1;
                self.depth -= 1;
                Ok(inner)
            }
            Token::Close => Err(self.error("unexpected `)`".to_owned())),
            Token::Word(word) => {
                let lower = word.to_ascii_lowercase();
                if matches!(lower.as_str(), "1" | "any" | "all")
                    && self.peek_word().as_deref() == Some("of")
                {
                    self.at += 1;
                    let Some(Token::Word(pattern)) = self.tokens.get(self.at).cloned() else {
                        return Err(
                            self.error(format!("`{word} of` needs a selection pattern or `them`"))
                        );
                    };
                    self.at += 1;
                    let matched = self.select(&pattern);
                    if matched.is_empty() {
                        return Err(self.error(format!("no selection matches {pattern:?}")));
                    }
                    return Ok(if lower == "all" {
                        Condition::All(matched)
                    } else {
                        Condition::Any(matched)
                    });
                }
                if matches!(lower.as_str(), "and" | "or" | "of" | "them") {
                    return Err(self.error(format!("unexpected `{word}`")));
                }
                self.selections
                    .iter()
                    .find(|(name, _)| *name == word)
                    .map(|(_, c)| c.clone())
                    .ok_or_else(|| self.error(format!("no selection named {word:?}")))
            }
        }
    }

    /// The selections a `x of` pattern names: `them` (every selection not starting with `_`) or a name
    /// with `*` wildcards.
    fn select(&self, pattern: &str) -> Vec<Condition> {
        self.selections
            .iter()
            .filter(|(name, _)| {
                if pattern.eq_ignore_ascii_case("them") {
                    !name.starts_with('_')
                } else {
                    wildcard(pattern.as_bytes(), name.as_bytes())
                }
            })
            .map(|(_, c)| c.clone())
            .collect()
    }
}

/// `*` wildcard match for selection names (names have no `?` or `\\`, so the engine's glob serves).
fn wildcard(pattern: &[u8], name: &[u8]) -> bool {
    crate::matcher::glob(pattern, name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::field;

    fn sel(name: &str) -> (String, Condition) {
        (name.to_owned(), field("eventName").equals([name]))
    }

    #[test]
    fn precedence_and_groups() {
        let selections = [sel("a"), sel("b"), sel("filter_1"), sel("filter_2")];
        let c = parse("a or b and not 1 of filter_*", &selections).unwrap();
        assert_eq!(
            c.to_string(),
            r#"(eventName equals ["a"] or (eventName equals ["b"] and not (eventName equals ["filter_1"] or eventName equals ["filter_2"])))"#
        );
        let c = parse("(a or b) and all of them", &selections).unwrap();
        assert!(c.to_string().starts_with("((eventName equals [\"a\"] or"));
        assert!(parse("a and", &selections).is_err());
        assert!(parse("a | count() > 5", &selections).is_err());
        assert!(parse("1 of nothing*", &selections).is_err());
        assert!(parse("(a", &selections).is_err());
        assert!(parse("c", &selections).is_err());
    }
}
