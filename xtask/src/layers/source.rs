//! Reading Rust source for the layering check: a scanner that drops comments, literals and
//! lifetimes, and a reader of one file's `mod` declarations, `use` trees and
//! `crate::`/`super::`/`self::` paths, skipping `#[cfg(test)]` items.

/// A token of Rust source with its line: an identifier, `::`, or one punctuation character.
/// Comments, whitespace, literals and lifetimes are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Tok {
    text: String,
    line: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[allow(clippy::too_many_lines)] // one scanner, one state per kind of literal
fn tokens(src: &str) -> Vec<Tok> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    // Skips a quoted literal ending at the first unescaped `close`; returns the index after it.
    let skip_quoted = |mut i: usize, close: char, line: &mut usize| {
        while i < chars.len() {
            match chars[i] {
                '\\' => i += 1,
                '\n' => *line += 1,
                c if c == close => return i + 1,
                _ => {}
            }
            i += 1;
        }
        i
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            // Block comments nest.
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if c == '"' {
            i = skip_quoted(i + 1, '"', &mut line);
        } else if c == '\'' {
            // A char literal (`'a'`, `'\n'`, `'\''`) or a lifetime (`'a`), which is dropped.
            if next == Some('\\') {
                i = skip_quoted(i + 1, '\'', &mut line);
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
                while i < chars.len() && is_ident_char(chars[i]) {
                    i += 1;
                }
            }
        } else if is_ident_start(c) {
            let start = i;
            while i < chars.len() && is_ident_char(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let after = chars.get(i).copied();
            let raw_prefix = matches!(word.as_str(), "r" | "br" | "cr");
            if raw_prefix && (after == Some('"') || after == Some('#')) {
                let hashes = chars[i..].iter().take_while(|c| **c == '#').count();
                if chars.get(i + hashes) == Some(&'"') {
                    // A raw string: ends at `"` and as many `#` as it opened with.
                    i += hashes + 1;
                    while i < chars.len() {
                        if chars[i] == '\n' {
                            line += 1;
                        }
                        if chars[i] == '"'
                            && chars[i + 1..].iter().take_while(|c| **c == '#').count() >= hashes
                        {
                            i += hashes + 1;
                            break;
                        }
                        i += 1;
                    }
                    continue;
                }
                if word == "r" && hashes == 1 {
                    // A raw identifier, `r#type`.
                    let start = i + 1;
                    i = start;
                    while i < chars.len() && is_ident_char(chars[i]) {
                        i += 1;
                    }
                    out.push(Tok {
                        text: chars[start..i].iter().collect(),
                        line,
                    });
                    continue;
                }
            }
            if matches!(word.as_str(), "b" | "c") && after == Some('"') {
                // A byte or C string: the quoted part comes next round.
                continue;
            }
            if word == "b" && after == Some('\'') {
                i = skip_quoted(i + 1, '\'', &mut line);
                continue;
            }
            out.push(Tok { text: word, line });
        } else if c.is_ascii_digit() {
            while i < chars.len() && (is_ident_char(chars[i]) || chars[i] == '.') {
                // `1..2` is two numbers and a range, not one number.
                if chars[i] == '.' && chars.get(i + 1) == Some(&'.') {
                    break;
                }
                i += 1;
            }
        } else if c == ':' && next == Some(':') {
            out.push(Tok {
                text: "::".into(),
                line,
            });
            i += 2;
        } else {
            out.push(Tok {
                text: c.to_string(),
                line,
            });
            i += 1;
        }
    }
    out
}

/// A path a module names: from a `use` (with the name it binds, if any) or in code.
#[derive(Debug, Clone)]
pub(super) struct PathRef {
    pub(super) segments: Vec<String>,
    /// The name a `use` binds (`None` for a glob, `as _`, or a path in code).
    pub(super) binds: Option<String>,
    pub(super) line: usize,
}

/// A module as read from its source.
#[derive(Debug, Default)]
pub(super) struct Parsed {
    pub(super) paths: Vec<PathRef>,
    /// `mod x;` declarations (the file is found next), and inline `mod x { … }` bodies.
    pub(super) children: Vec<(String, Option<Parsed>)>,
}

struct Parser<'a> {
    toks: &'a [Tok],
    i: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self, ahead: usize) -> Option<&'a str> {
        self.toks.get(self.i + ahead).map(|t| t.text.as_str())
    }

    fn is_ident(s: Option<&str>) -> bool {
        s.and_then(|s| s.chars().next()).is_some_and(is_ident_start)
    }

    /// A module body, up to its closing `}` (or the end of the file).
    fn module(&mut self) -> Parsed {
        let mut m = Parsed::default();
        let mut test_only = false;
        while let Some(t) = self.peek(0) {
            match t {
                "}" => {
                    self.i += 1;
                    break;
                }
                "#" => {
                    test_only |= self.attribute_is_cfg_test();
                    continue;
                }
                _ if test_only => {
                    self.skip_item();
                    test_only = false;
                    continue;
                }
                "mod" if Self::is_ident(self.peek(1)) => {
                    let name = self.toks[self.i + 1].text.clone();
                    self.i += 2;
                    if self.peek(0) == Some("{") {
                        self.i += 1;
                        m.children.push((name, Some(self.module())));
                    } else {
                        m.children.push((name, None));
                    }
                    continue;
                }
                "use" => {
                    self.i += 1;
                    let line = self.toks[self.i - 1].line;
                    self.use_tree(&[], line, &mut m.paths);
                    continue;
                }
                "crate" | "super" | "self"
                    if self.peek(1) == Some("::")
                        && !matches!(
                            self.i.checked_sub(1).map(|p| self.toks[p].text.as_str()),
                            Some("$" | "in")
                        ) =>
                {
                    let line = self.toks[self.i].line;
                    let mut segments = vec![t.to_owned()];
                    self.i += 1;
                    while self.peek(0) == Some("::") && Self::is_ident(self.peek(1)) {
                        segments.push(self.toks[self.i + 1].text.clone());
                        self.i += 2;
                    }
                    m.paths.push(PathRef {
                        segments,
                        binds: None,
                        line,
                    });
                    continue;
                }
                "{" => {
                    // A block of code or an item's body: read through it as part of this module.
                    self.i += 1;
                    let inner = self.module();
                    m.paths.extend(inner.paths);
                    m.children.extend(inner.children);
                    continue;
                }
                _ => {}
            }
            self.i += 1;
        }
        m
    }

    /// Consumes `#[…]` or `#![…]`; whether it is `cfg(test)` (or `cfg(all(test, …))`).
    fn attribute_is_cfg_test(&mut self) -> bool {
        self.i += 1;
        if self.peek(0) == Some("!") {
            self.i += 1;
        }
        if self.peek(0) != Some("[") {
            return false;
        }
        let start = self.i;
        let mut depth = 0;
        while let Some(t) = self.peek(0) {
            self.i += 1;
            match t {
                "[" | "(" => depth += 1,
                "]" | ")" => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        let words: Vec<&str> = self.toks[start..self.i]
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        words.get(1) == Some(&"cfg") && words.contains(&"test") && !words.contains(&"not")
    }

    /// Skips one item: to its `;`, or to the end of its `{ … }` body.
    fn skip_item(&mut self) {
        let mut depth = 0;
        while let Some(t) = self.peek(0) {
            self.i += 1;
            match t {
                "{" | "(" | "[" => depth += 1,
                "}" | ")" | "]" => {
                    depth -= 1;
                    if depth <= 0 && t == "}" {
                        return;
                    }
                }
                ";" if depth == 0 => return,
                _ => {}
            }
        }
    }

    /// One use tree after `prefix`, through its `;` (at the top) or up to its `,`/`}`.
    fn use_tree(&mut self, prefix: &[String], line: usize, out: &mut Vec<PathRef>) {
        let mut path = prefix.to_vec();
        if self.peek(0) == Some("::") {
            // `use ::name`: an external crate.
            self.i += 1;
            path.push("::".into());
        }
        loop {
            match self.peek(0) {
                Some("{") => {
                    self.i += 1;
                    while !matches!(self.peek(0), Some("}") | None) {
                        self.use_tree(&path, line, out);
                        if self.peek(0) == Some(",") {
                            self.i += 1;
                        }
                    }
                    self.i += 1;
                    break;
                }
                Some("*") => {
                    self.i += 1;
                    out.push(PathRef {
                        segments: path.clone(),
                        binds: None,
                        line,
                    });
                    break;
                }
                Some(s) if Self::is_ident(Some(s)) => {
                    let s = s.to_owned();
                    self.i += 1;
                    if s != "self" || path.is_empty() {
                        path.push(s);
                    }
                    if self.peek(0) == Some("::") {
                        self.i += 1;
                        continue;
                    }
                    let mut binds = path.last().cloned();
                    if self.peek(0) == Some("as") {
                        binds = self.peek(1).filter(|n| *n != "_").map(str::to_owned);
                        self.i += 2;
                    }
                    out.push(PathRef {
                        segments: path.clone(),
                        binds,
                        line,
                    });
                    break;
                }
                _ => break,
            }
        }
        if prefix.is_empty() && self.peek(0) == Some(";") {
            self.i += 1;
        }
    }
}

/// One file read: its paths and its child modules.
pub(super) fn parse(src: &str) -> Parsed {
    let toks = tokens(src);
    let mut p = Parser { toks: &toks, i: 0 };
    let mut m = Parsed::default();
    // Top level: read to the end even past a stray `}`.
    while p.i < toks.len() {
        let part = p.module();
        m.paths.extend(part.paths);
        m.children.extend(part.children);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tokens_skip_literals_and_keep_paths() {
        let toks: Vec<String> = tokens("let x = b'a'; r#type::f(); 1..2; '\\''; crate::a")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(
            toks,
            [
                "let", "x", "=", ";", "type", "::", "f", "(", ")", ";", ".", ".", ";", ";",
                "crate", "::", "a"
            ]
        );
    }
}
