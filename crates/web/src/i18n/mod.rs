//! Interface languages: Simplified Chinese (default) and English. A user's saved choice
//! wins, then the `lang` cookie, then the browser's Accept-Language.

use axum::http::HeaderMap;

mod billing;
mod complaints;
mod core;
mod delivery;
mod ecom;
mod installation;
mod order_assist;
mod parts;
mod purchasing;
mod staff_conduct;
mod supervision;
mod surveys;
mod tools;

/// (key, 中文, English).
pub type Text = (&'static str, &'static str, &'static str);

/// One table per area, each sorted by key for binary search; a key lives in exactly one
/// table (tests check both). Areas keep their own table so that adding texts to one area
/// never touches another's.
const TABLES: &[&[Text]] = &[
    core::TEXTS,
    surveys::TEXTS,
    staff_conduct::TEXTS,
    delivery::TEXTS,
    billing::TEXTS,
    parts::TEXTS,
    complaints::TEXTS,
    order_assist::TEXTS,
    installation::TEXTS,
    ecom::TEXTS,
    supervision::TEXTS,
    purchasing::TEXTS,
    tools::TEXTS,
];

fn lookup(key: &str) -> Option<Text> {
    TABLES.iter().find_map(|table| {
        table
            .binary_search_by(|(k, _, _)| (*k).cmp(key))
            .ok()
            .map(|idx| table[idx])
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first supported language in an Accept-Language header, in order of preference.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut choices: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.trim().split(';');
                let tag = pieces.next()?.trim();
                let quality = pieces
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                Some((quality, tag))
            })
            .collect();
        choices.sort_by(|a, b| b.0.total_cmp(&a.0));
        choices.into_iter().find_map(|(_, tag)| {
            let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
            match primary.as_str() {
                "zh" => Some(Lang::Zh),
                "en" => Some(Lang::En),
                _ => None,
            }
        })
    }

    /// The language of a request: saved user choice, cookie, header, Chinese.
    pub fn negotiate(user_locale: Option<&str>, headers: &HeaderMap) -> Lang {
        user_locale
            .and_then(Lang::from_code)
            .or_else(|| crate::session::cookie(headers, "lang").and_then(|c| Lang::from_code(&c)))
            .or_else(|| {
                headers
                    .get(axum::http::header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Lang::from_accept_language)
            })
            .unwrap_or(Lang::Zh)
    }

    /// The text for `key`; an unknown key shows itself, which a test forbids for every key
    /// the templates use.
    pub fn t(self, key: &str) -> &'static str {
        match lookup(key) {
            Some((_, zh, en)) => match self {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => "⟨missing text⟩",
        }
    }

    /// The text for `key`, if there is one.
    pub fn text(self, key: &str) -> Option<&'static str> {
        lookup(key).map(|(_, zh, en)| match self {
            Lang::Zh => zh,
            Lang::En => en,
        })
    }

    /// The message for a validation or conflict code.
    pub fn error(self, code: &str) -> String {
        let key = format!("error.{code}");
        match lookup(&key) {
            Some(_) => self.t(&key).to_string(),
            None => match self {
                Lang::Zh => format!("输入有误（{code}）"),
                Lang::En => format!("Invalid input ({code})"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_sorted_and_unique_so_lookup_finds_them() {
        let mut seen = std::collections::HashSet::new();
        for table in TABLES {
            for pair in table.windows(2) {
                assert!(
                    pair[0].0 < pair[1].0,
                    "{} must come before {}",
                    pair[0].0,
                    pair[1].0
                );
            }
            for (key, _, _) in table.iter() {
                assert!(seen.insert(*key), "{key} is in two tables");
            }
        }
    }

    #[test]
    fn every_text_key_a_template_uses_exists() {
        let templates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut missing = Vec::new();
        let mut stack = vec![templates];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for piece in text.split("ctx.t(\"").skip(1) {
                    let key = piece.split('"').next().unwrap();
                    if lookup(key).is_none() {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
                // Keys made at run time (`ctx.tk("rma_wish.", code)`): the prefix must at
                // least have texts, else every value shows as missing.
                for piece in text.split("ctx.tk(\"").skip(1) {
                    let prefix = piece.split('"').next().unwrap();
                    let known = TABLES
                        .iter()
                        .any(|table| table.iter().any(|(key, _, _)| key.starts_with(prefix)));
                    if !known {
                        missing.push(format!("{}: {prefix}*", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing texts: {missing:?}");
    }

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1, zh-TW;q=0.5, en;q=0.4"),
            Some(Lang::Zh)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
    }

    #[test]
    fn error_codes_translate_and_unknown_codes_still_say_something() {
        assert_eq!(Lang::En.error("required"), "Required");
        assert_eq!(Lang::Zh.error("invalid_phone"), "电话号码格式不正确");
        assert_eq!(
            Lang::En.error("no_such_code"),
            "Invalid input (no_such_code)"
        );
    }
}
