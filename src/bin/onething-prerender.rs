//! The build's prerenderer: the catalogue and every one-thing's landing page as HTML with their
//! content, so the first screen needs no wasm (links are links, the text is there at once), and
//! the first page's module then replaces them with the same markup, built from the data the
//! page carries (`onething::boot`).
//!
//! It runs natively after Trunk's build (`cargo xtask` calls it), on `dist/` and `services/`,
//! rendering the SPA's own components (`lite::Frame`, `pages::Home`, `pages::ServicePage`,
//! `pages::AccessibilityPage`) with
//! Leptos' HTML renderer: never a hand-written copy. It writes:
//! - `index.html`: the catalogue;
//! - `services/<id>/index.html`: each landing page (`/services/<id>`);
//! - `accessibility/index.html`: the accessibility statement (`/accessibility`);
//! - `shell.html`: the static shell for every other path (deep links into the wizard or a case),
//!   which the server (or a static host) answers with; it loads the whole app's module at once;
//! - `trunk.html`: Trunk's page as it was, the model of the others (a rerun starts from it).
//!
//! Links are relative to the document's `<base href>` (`./services/newborn`), so the files serve
//! under any sub-path once that tag is rewritten, like `index.html` always was.
//!
//! Usage: `onething-prerender <dist> <services>`.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dist, services] = args.as_slice() else {
        eprintln!("usage: onething-prerender <dist> <services>");
        return std::process::ExitCode::from(2);
    };
    match native::run(std::path::Path::new(dist), std::path::Path::new(services)) {
        Ok(n) => {
            println!("prerendered the catalogue and {n} landing pages");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("onething-prerender: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Nothing to do in a browser: the prerenderer is a build tool.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::path::Path;

    use leptos::prelude::*;
    use onething::boot::{self, Boot};
    use onething::lite::Frame;
    use onething::pages::search::{SearchData, SearchEntry, fold};
    use onething::pages::{AccessibilityPage, Home, ServicePage};
    use onething::prefs::{ElderPref, LocalePref};
    use onething_core::api::ServiceSummary;
    use onething_core::{Locale, ServiceDefinition};

    type Error = Box<dyn std::error::Error>;

    /// Where Trunk's page holds its static first paint, replaced by the rendered page.
    const START: &str = "<!-- prerender:start -->";
    const END: &str = "<!-- prerender:end -->";

    /// Effects never run here, as on a server: the page is rendered once, to text.
    struct NoEffects;

    impl any_spawner::CustomExecutor for NoEffects {
        fn spawn(&self, _fut: any_spawner::PinnedFuture<()>) {}
        fn spawn_local(&self, _fut: any_spawner::PinnedLocalFuture<()>) {}
        fn poll_local(&self) {}
    }

    /// Renders every page; returns the number of landing pages.
    pub fn run(dist: &Path, services: &Path) -> Result<usize, Error> {
        any_spawner::Executor::init_custom_executor(NoEffects)
            .map_err(|_| "an executor was already set")?;
        onething::router::use_relative_links();
        let shell = std::fs::read_to_string(dist.join("index.html"))?;
        if !shell.contains(START) || !shell.contains(END) {
            return Err(format!("index.html has no {START} … {END}").into());
        }
        let locale = default_locale(dist)?;
        let defs = definitions(services)?;

        // Trunk's page, kept once (a rebuild starts again from it) as the model of the
        // prerendered pages, and as the shell of every other path, which loads the whole app.
        if !dist.join("trunk.html").exists() {
            std::fs::write(dist.join("trunk.html"), &shell)?;
        }
        // Its comments explain the source to a developer; a phone would download them on every
        // page (about 1 KB brotli): the pages carry none but the markers.
        let shell = without_comments(&std::fs::read_to_string(dist.join("trunk.html"))?);
        let shell = wasm_preload_first(&shell)?;
        let whole_app = whole_app_shell(&shell, onething::BUILD_ID)?;
        std::fs::write(dist.join("shell.html"), &whole_app)?;
        // The first pages load no wasm: their own script (`src/first.js`), which starts the
        // first page's module only where it is still needed.
        let (shell, names) = first_page_shell(&shell)?;

        // Each page in the build's language (`index.html`), and in the other one beside it
        // (`index.en.html` or `index.zh-CN.html`): the server answers a person who chose that
        // language (its cookie, `src/prefs.rs`) with it, so the first paint is in their language.
        for shown in [locale, other(locale)] {
            let file = if shown == locale {
                "index.html".to_owned()
            } else {
                format!("index.{}.html", shown.tag())
            };
            let first = with_first_script(&shell, &names, shown)?;
            pages(dist, &first, &whole_app, &defs, shown, &file)?;
        }
        Ok(defs.len())
    }

    /// The language that is not `locale`.
    fn other(locale: Locale) -> Locale {
        match locale {
            Locale::ZhCn => Locale::En,
            Locale::En => Locale::ZhCn,
        }
    }

    /// Writes every prerendered page in `locale`, each as `file` in its directory.
    fn pages(
        dist: &Path,
        shell: &str,
        whole_app: &str,
        defs: &[ServiceDefinition],
        locale: Locale,
        file: &str,
    ) -> Result<(), Error> {
        let list: Vec<ServiceSummary> = defs.iter().map(ServiceSummary::from).collect();
        let search = search_data(defs);
        let (body, title) = render(
            locale,
            {
                let list = list.clone();
                let search = search.clone();
                move || {
                    view! { <Frame><Home preloaded=Some(list) search=Some(search) /></Frame> }
                        .into_any()
                }
            },
            |m| m.home_title.to_owned(),
        );
        let data = Boot {
            services: Some(list),
            search: Some(search),
            ..Boot::default()
        };
        std::fs::write(dist.join(file), page(shell, locale, &title, &body, &data)?)?;

        // The accessibility statement, linked from every page's footer.
        let (body, title) = render(
            locale,
            || view! { <Frame><AccessibilityPage /></Frame> }.into_any(),
            |m| m.a11y_title.to_owned(),
        );
        std::fs::create_dir_all(dist.join("accessibility"))?;
        std::fs::write(
            dist.join("accessibility").join(file),
            page(shell, locale, &title, &body, &Boot::default())?,
        )?;

        for def in defs {
            let dir = dist.join("services").join(&def.id);
            std::fs::create_dir_all(&dir)?;
            let id = def.id.clone();
            let shown = def.clone();
            let (body, title) = render(
                locale,
                move || {
                    view! { <Frame><ServicePage id preloaded=Some(shown) /></Frame> }.into_any()
                },
                |_| def.title.get(locale).to_owned(),
            );
            let data = Boot {
                landing: Some(boot::Landing::of(def)),
                ..Boot::default()
            };
            std::fs::write(dir.join(file), page(shell, locale, &title, &body, &data)?)?;
        }
        // Each wizard's first step, as a person who has not started it sees it: a deep link
        // (from an app platform's service entry, a message) shows it with the page, and the
        // whole app this page loads at once takes it over (`src/takeover.js`).
        let today = build_date();
        for def in defs {
            let path = onething::pages::apply::entry_path(&def.id);
            let dir = dist.join(path.trim_start_matches('/'));
            std::fs::create_dir_all(&dir)?;
            let shown = def.clone();
            let (body, title) = render(
                locale,
                move || {
                    view! { <Frame>{onething::pages::apply::entry_page(shown, today)}</Frame> }
                        .into_any()
                },
                |m| m.eligibility_title.to_owned(),
            );
            let html = page(whole_app, locale, &title, &body, &Boot::default())?;
            let html = for_the_whole_app(&html, locale)?;
            std::fs::write(dir.join(file), &html)?;
            std::fs::write(
                dir.join(format!("entry.{}.html", locale.tag())),
                entry_fragment(&html)?,
            )?;
        }
        Ok(())
    }

    /// The id of the script that keeps a button pressed on a page of the whole app's until the app
    /// is there ([`for_the_whole_app`]); `src/first.js` finds it by this id.
    const PRESSES_ID: &str = "onething-presses";

    /// A wizard's first step as a landing page puts it in place on Start (`src/first.js`): its
    /// title, `#app` and press-keeping script, without what the landing page already has (the
    /// stylesheet, the head's scripts). Named by its language, so that no cookie or cache
    /// chooses it.
    fn entry_fragment(html: &str) -> Result<String, Error> {
        let between = |from: &str, to: &str| -> Result<&str, Error> {
            let start = html.find(from).ok_or_else(|| format!("no {from}"))?;
            let len = html[start..].find(to).ok_or_else(|| format!("no {to}"))? + to.len();
            Ok(&html[start..start + len])
        };
        let title = between("<title>", "</title>")?;
        let app = between(
            "<div id=\"app\" data-prerendered>",
            "<!-- prerender:end --></div>",
        )?;
        let presses = between(&format!("<script id=\"{PRESSES_ID}\">"), "</script>")?;
        Ok(format!("<!DOCTYPE html>\n{title}\n{app}\n{presses}\n"))
    }

    /// A prerendered page of the whole app's (`src/takeover.js`): `#app` marked as such,
    /// and a script that keeps a button pressed before the app is there (the app presses it
    /// again once it has taken the page over) and a form's submit from reloading the page.
    /// The script has an id: a landing page's own script puts the first step's page in place
    /// on Start and runs this script with it (`src/first.js`).
    fn for_the_whole_app(html: &str, locale: Locale) -> Result<String, Error> {
        const APP: &str = "<div id=\"app\">";
        if !html.contains(APP) {
            return Err("no #app".into());
        }
        let label = onething::i18n::messages(locale).app_loading;
        let script = format!(
            "<script id=\"{PRESSES_ID}\">\n\
             (function () {{\n  \
             var app = document.getElementById('app');\n  \
             var label = {label};\n  \
             app.addEventListener('click', function (e) {{\n    \
             var b = e.target.closest && e.target.closest('button');\n    \
             if (!b) return;\n    \
             e.preventDefault();\n    \
             var was = window.onethingPressed;\n    \
             if (was) was.button.textContent = was.text;\n    \
             window.onethingPressed = {{ button: b, text: b.textContent, index: Array.prototype.indexOf.call(app.querySelectorAll('button'), b) }};\n    \
             b.setAttribute('aria-disabled', 'true');\n    \
             b.textContent = label;\n  \
             }});\n  \
             app.addEventListener('submit', function (e) {{ e.preventDefault(); }});\n\
             }})();\n</script>\n  </body>",
            label = serde_json::to_string(label)?,
        );
        Ok(html
            .replacen(APP, "<div id=\"app\" data-prerendered>", 1)
            .replacen("</body>", &script, 1))
    }

    /// The build's day (UTC): the first step's questions as the engine shows them before any
    /// answer, which no date changes; the app in the browser evaluates with its own clock.
    fn build_date() -> onething_core::value::Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        onething_core::value::Date::from_days(i64::try_from(secs / 86_400).unwrap_or(0))
    }

    /// Simplified and traditional character pairs (`户 戶`), one a line; `#` starts a comment.
    const TRADITIONAL: &str = include_str!("traditional.txt");

    /// The catalogue's search data: for each service its title, its sub-items' names and its
    /// guide's synonyms, in both languages, each with its pinyin initials (新生儿 → `xse`); and
    /// the traditional forms of the characters those words use.
    pub(super) fn search_data(defs: &[ServiceDefinition]) -> SearchData {
        let entries: Vec<SearchEntry> = defs
            .iter()
            .map(|def| {
                let mut words: Vec<&str> = vec![&def.title.zh, &def.title.en];
                for item in &def.sub_items {
                    words.extend([item.title.zh.as_str(), item.title.en.as_str()]);
                }
                if let Some(g) = &def.guide {
                    words.extend(g.synonyms.iter().map(String::as_str));
                }
                let mut lines: Vec<String> = Vec::new();
                for w in words {
                    for line in [fold(w), initials(w)] {
                        if !line.is_empty() && !lines.contains(&line) {
                            lines.push(line);
                        }
                    }
                }
                SearchEntry {
                    id: def.id.clone(),
                    text: lines.join("\n"),
                }
            })
            .collect();
        let used: std::collections::BTreeSet<char> =
            entries.iter().flat_map(|e| e.text.chars()).collect();
        let traditional = TRADITIONAL
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut c = l.chars().filter(|c| !c.is_whitespace());
                Some((c.next()?, c.next()?))
            })
            .filter(|(simplified, _)| used.contains(simplified))
            .flat_map(|(simplified, traditional)| [traditional, simplified])
            .collect();
        SearchData {
            entries,
            traditional,
        }
    }

    /// The pinyin initials of a word's Chinese characters, with its letters and digits kept
    /// (`LNG 船舶` → `lngcb`); empty for a word without Chinese characters (it is searched as
    /// it is). A character with several readings gives its most common one.
    pub(super) fn initials(word: &str) -> String {
        use pinyin::ToPinyin;
        let mut out = String::new();
        let mut chinese = false;
        for (c, p) in word.chars().zip(word.to_pinyin()) {
            match p {
                Some(p) => {
                    chinese = true;
                    out.push_str(p.first_letter());
                }
                None if c.is_alphanumeric() => out.extend(c.to_lowercase()),
                None => {}
            }
        }
        if chinese { out } else { String::new() }
    }

    /// The definitions, sorted by id as the API lists them.
    fn definitions(dir: &Path) -> Result<Vec<ServiceDefinition>, Error> {
        let mut defs = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "toml") {
                let name = path
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                let source = std::fs::read_to_string(&path)?;
                defs.push(ServiceDefinition::from_toml(&name, &source)?);
            }
        }
        defs.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(defs)
    }

    /// The build's `config.json` `default_locale`, else zh-CN: the language most people see
    /// first.
    fn default_locale(dist: &Path) -> Result<Locale, Error> {
        let config: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dist.join("config.json"))?)?;
        Ok(config["default_locale"]
            .as_str()
            .and_then(Locale::from_tag)
            .unwrap_or_default())
    }

    /// Renders `view` in `locale`, with the page's title from `title`.
    fn render(
        locale: Locale,
        view: impl FnOnce() -> AnyView,
        title: impl FnOnce(&'static onething::i18n::Messages) -> String,
    ) -> (String, String) {
        let owner = Owner::new();
        owner.with(|| {
            provide_context(LocalePref(RwSignal::new(locale)));
            provide_context(ElderPref(RwSignal::new(false)));
            // Read once, as text: nothing here is tracked or ever updated.
            untrack(|| {
                let html = view().to_html();
                let m = onething::i18n::t();
                let page = title(m);
                (html, format!("{page} — {}", m.app_name))
            })
        })
    }

    /// Trunk's page with `body` in place of its static first paint, the page's title and
    /// language, and the data the first page's module renders from.
    fn page(
        shell: &str,
        locale: Locale,
        title: &str,
        body: &str,
        data: &Boot,
    ) -> Result<String, Error> {
        let (head, rest) = shell.split_once(START).ok_or("no start marker")?;
        let (_, tail) = rest.split_once(END).ok_or("no end marker")?;
        let script = format!(
            "<script type=\"application/json\" id=\"{}\">{}</script>\n  </body>",
            boot::ELEMENT_ID,
            boot::script_text(data).map_err(|_| "the page's data has no JSON form")?
        );
        let html = format!("{head}{START}{body}{END}{tail}")
            .replacen("</body>", &script, 1)
            .replacen(
                "<html lang=\"zh-CN\">",
                &format!("<html lang=\"{}\">", locale.tag()),
                1,
            );
        let (before, after) = html.split_once("<title>").ok_or("no <title>")?;
        let (_, after) = after.split_once("</title>").ok_or("no </title>")?;
        Ok(format!("{before}<title>{}</title>{after}", escape(title)))
    }

    /// The page for deep links (the wizard, a case): it loads the whole app's module at once
    /// instead of the first page's module and then the whole app in sequence; should that
    /// fail (offline, nothing cached), the first page's module starts and says so with a retry
    /// (`onething::lite`). The whole app's files are asked for with the build id, as the first
    /// page's module asks for them (`src/lite.js`), so each is downloaded once.
    fn whole_app_shell(trunk: &str, build: &str) -> Result<String, Error> {
        let hash = first_module_hash(trunk)?;
        let lite_js = format!("./onething-{hash}.js");
        let lite_wasm = format!("./onething-{hash}_bg.wasm");
        let full_js = format!("./onething-full.js?v={build}");
        let full_wasm = format!("./onething-full_bg.wasm?v={build}");
        let (head, rest) = trunk
            .split_once("<script type=\"module\">")
            .ok_or("no loader script")?;
        let (_, tail) = rest.split_once("</script>").ok_or("no loader end")?;
        // Each `import()` is resolved against `document.baseURI` by hand: WebKit (every iOS
        // webview) resolves an inline script's `import('./…')` against the page's own path and
        // ignores `<base href>`, so a deep link such as /apply/newborn would load nothing.
        let loader = format!(
            "<script type=\"module\">\n\
             const at = (u) => new URL(u, document.baseURI).href;\n\
             try {{\n  const m = await import(at('{full_js}'));\n  \
             await m.default({{ module_or_path: '{full_wasm}' }});\n  \
             window.wasmBindings = m;\n\
             }} catch (e) {{\n  \
             const m = await import(at('{lite_js}'));\n  \
             await m.default({{ module_or_path: '{lite_wasm}' }});\n  \
             window.wasmBindings = m;\n\
             }}\n</script>"
        );
        let page = format!("{head}{loader}{tail}");
        // Preload the whole app's files instead of the first page's.
        let page = replace_link(
            &page,
            &format!("href=\"{lite_js}\""),
            &format!("<link rel=\"modulepreload\" href=\"{full_js}\" crossorigin=\"anonymous\">"),
        )?;
        replace_link(
            &page,
            &format!("href=\"{lite_wasm}\""),
            &format!(
                "<link rel=\"preload\" href=\"{full_wasm}\" crossorigin=\"anonymous\" as=\"fetch\" type=\"application/wasm\">"
            ),
        )
    }

    /// `page` with the wasm's preload (Trunk writes it last, after the JavaScript modules') at
    /// the top of `<head>`, right after the `<base>` it is resolved against. Over HTTP/1.1 a
    /// browser opens six connections to a host: behind the module preloads, the largest file
    /// waited for one of them to finish, a round trip late on a slow network. `shell.html`'s
    /// whole-app preload takes its place.
    pub(super) fn wasm_preload_first(page: &str) -> Result<String, Error> {
        let tag = link_containing(page, "<link rel=\"preload\" href=\"./onething-")?;
        let link = &page[tag.clone()];
        if !link.contains("_bg.wasm") {
            return Err(format!("not the wasm's preload: {link}").into());
        }
        let rest = format!("{}{}", &page[..tag.start], &page[tag.end..]);
        let base = rest.find("<base ").ok_or("no <base>")?;
        let after = base + rest[base..].find('>').ok_or("no >")? + 1;
        Ok(format!("{}\n    {link}{}", &rest[..after], &rest[after..]))
    }

    /// The content hash in the first page's module's name, from Trunk's loader in `page`:
    /// `import init, * as bindings from './onething-<hash>.js';`.
    fn first_module_hash(page: &str) -> Result<&str, Error> {
        let (_, after) = page
            .split_once("from './onething-")
            .ok_or("no loader of the first page's module")?;
        let (hash, _) = after.split_once(".js'").ok_or("no module name")?;
        Ok(hash)
    }

    /// What the first pages' script names: the first page's module (its content hash), and
    /// the two snippets it imports itself (`src/lite.js`, `src/register.js`), as Trunk named them.
    pub(super) struct FirstNames {
        hash: String,
        lite: String,
        register: String,
    }

    /// Trunk's page made the model of the first pages (the catalogue, the landing pages, the
    /// accessibility statement): without the loader of the first page's module, its preloads and
    /// every snippet's but the two the page's own script imports (`src/first.js`). Trunk preloads
    /// every snippet of the crate on every page; the whole app's module imports the others when
    /// it is loaded, and `shell.html`, which loads it at once, keeps them.
    pub(super) fn first_page_shell(trunk: &str) -> Result<(String, FirstNames), Error> {
        const PRELOAD: &str = "<link rel=\"modulepreload\" href=\"./snippets/";
        let hash = first_module_hash(trunk)?.to_owned();
        let (head, rest) = trunk
            .split_once("<script type=\"module\">")
            .ok_or("no loader script")?;
        let (_, tail) = rest.split_once("</script>").ok_or("no loader end")?;
        let mut out = format!("{}{tail}", head.trim_end_matches([' ', '\n']));
        for file in [
            format!("onething-{hash}.js"),
            format!("onething-{hash}_bg.wasm"),
        ] {
            let tag = link_containing(&out, &format!("href=\"./{file}\""))?;
            let start = out[..tag.start].trim_end_matches([' ', '\n']).len();
            out.replace_range(start..tag.end, "");
        }
        let (mut lite, mut register) = (None, None);
        let mut from = 0;
        while let Some(at) = out[from..].find(PRELOAD).map(|i| from + i) {
            let end = at + out[at..].find('>').ok_or("no >")? + 1;
            let href = &out[at + PRELOAD.len() - "./snippets/".len()..end];
            let name = href.split('"').next().unwrap_or_default().to_owned();
            let kept = if name.ends_with("/src/lite.js") {
                &mut lite
            } else if name.ends_with("/src/register.js") {
                &mut register
            } else {
                let start = out[..at].trim_end_matches([' ', '\n']).len();
                out.replace_range(start..end, "");
                from = start;
                continue;
            };
            *kept = Some(name);
            from = end;
        }
        let names = FirstNames {
            hash,
            lite: lite.ok_or("no preload of src/lite.js")?,
            register: register.ok_or("no preload of src/register.js")?,
        };
        Ok((out, names))
    }

    /// `shell` with the first pages' script (`src/first.js`) for pages in `locale`: the build
    /// id, the page's texts in that language and the names it imports filled in, its comments
    /// (lines of their own) and indentation left out.
    pub(super) fn with_first_script(
        shell: &str,
        names: &FirstNames,
        locale: Locale,
    ) -> Result<String, Error> {
        let m = onething::i18n::messages(locale);
        let page = serde_json::json!({
            "none": m.search_none,
            "one": m.search_found_one,
            "many": m.search_found,
            "loading": m.app_loading,
            "failed": m.app_load_failed,
            "retry": m.retry,
            "back": m.back_to_services,
            "lite": names.lite,
            "register": names.register,
        });
        let mut code = String::new();
        // Without its comments and indentation (it has no string across lines).
        for line in include_str!("../first.js").lines() {
            let line = line.trim();
            if !line.starts_with("//") && !line.is_empty() {
                code.push_str(line);
                code.push('\n');
            }
        }
        if !code.contains("'__BUILD__'") || !code.contains("__PAGE__") {
            return Err("src/first.js has no __BUILD__ or __PAGE__".into());
        }
        let code = code.replacen("__BUILD__", onething::BUILD_ID, 1).replacen(
            "__PAGE__",
            &serde_json::to_string(&page)?.replace("</", "<\\/"),
            1,
        );
        let script = format!(
            "<script type=\"module\" data-first-module=\"./onething-{}\">\n{code}</script>\n  </body>",
            names.hash
        );
        if !shell.contains("</body>") {
            return Err("no </body>".into());
        }
        Ok(shell.replacen("</body>", &script, 1))
    }

    /// `page` with the `<link …>` tag that contains `needle` replaced by `with`.
    fn replace_link(page: &str, needle: &str, with: &str) -> Result<String, Error> {
        let tag = link_containing(page, needle)?;
        Ok(format!("{}{with}{}", &page[..tag.start], &page[tag.end..]))
    }

    /// Where the first `<link …>` tag containing `needle` (which may begin with `<link`) is.
    fn link_containing(page: &str, needle: &str) -> Result<std::ops::Range<usize>, Error> {
        let at = page
            .find(needle)
            .ok_or_else(|| format!("no link with {needle}"))?;
        let start = page[..at + needle.len()].rfind("<link").ok_or("no <link")?;
        let end = at + page[at..].find('>').ok_or("no >")? + 1;
        Ok(start..end)
    }

    /// `html` without its comments (`<!-- … -->`, and the white space that follows each), except
    /// the prerender markers; the text of a script or a stylesheet is left as it is.
    pub(super) fn without_comments(html: &str) -> String {
        // The first `<script` or `<style` in `rest`, and the end tag that closes it.
        let raw_text = |rest: &str| {
            [("<script", "</script>"), ("<style", "</style>")]
                .into_iter()
                .filter_map(|(open, close)| rest.find(open).map(|at| (at, close)))
                .min()
        };
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        loop {
            let raw = raw_text(rest);
            let comment = rest
                .find("<!--")
                .filter(|c| raw.is_none_or(|(s, _)| *c < s));
            match (comment, raw) {
                (Some(c), _) => {
                    out.push_str(&rest[..c]);
                    let Some(len) = rest[c..].find("-->").map(|e| e + 3) else {
                        // Not closed: not ours to judge; kept as it is.
                        out.push_str(&rest[c..]);
                        return out;
                    };
                    let text = &rest[c..c + len];
                    if text == START || text == END {
                        out.push_str(text);
                        rest = &rest[c + len..];
                    } else {
                        rest = rest[c + len..].trim_start();
                    }
                }
                (_, Some((s, close))) => {
                    let end = rest[s..]
                        .find(close)
                        .map_or(rest.len(), |e| s + e + close.len());
                    out.push_str(&rest[..end]);
                    rest = &rest[end..];
                }
                (None, None) => {
                    out.push_str(rest);
                    return out;
                }
            }
        }
    }

    /// Text for HTML.
    fn escape(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::native::{initials, search_data, wasm_preload_first, without_comments};

    #[test]
    fn the_wasm_is_preloaded_first_after_the_base() {
        let trunk = "<head>\n    <base href=\"/\" />\n    <title>t</title>\
                     <link rel=\"modulepreload\" href=\"./onething-ab.js\">\
                     <link rel=\"preload\" href=\"./onething-ab_bg.wasm\" as=\"fetch\"></head>";
        assert_eq!(
            wasm_preload_first(trunk).expect("moved"),
            "<head>\n    <base href=\"/\" />\n    <link rel=\"preload\" href=\"./onething-ab_bg.wasm\" as=\"fetch\">\
             \n    <title>t</title><link rel=\"modulepreload\" href=\"./onething-ab.js\"></head>"
        );
        assert!(wasm_preload_first("<head><base href=\"/\"></head>").is_err());
    }

    #[test]
    fn pages_lose_their_comments_but_not_the_markers_or_a_script() {
        let page = "<head>\n  <!-- why -->\n  <script>var a = '<!-- kept -->';</script>\n\
                    <style>a::after { content: '<!-- kept -->' }</style></head>\n\
                    <div id=\"app\"><!-- prerender:start --><p>x<!--\n two lines --></p>\
                    <!-- prerender:end --></div>";
        assert_eq!(
            without_comments(page),
            "<head>\n  <script>var a = '<!-- kept -->';</script>\n\
             <style>a::after { content: '<!-- kept -->' }</style></head>\n\
             <div id=\"app\"><!-- prerender:start --><p>x</p><!-- prerender:end --></div>"
        );
        assert_eq!(without_comments("a <!-- open"), "a <!-- open");
    }

    #[test]
    fn initials_are_the_first_letters_of_the_readings() {
        assert_eq!(initials("新生儿出生一件事"), "xsecsyjs");
        assert_eq!(initials("上户口"), "shk");
        assert_eq!(initials("LNG 船舶"), "lngcb");
        assert_eq!(initials("birth certificate"), "");
    }

    #[test]
    fn the_shipped_catalogue_finds_the_newborn_as_a_parent_types_it() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/services");
        let mut defs = Vec::new();
        for entry in std::fs::read_dir(dir).expect("services/") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "toml") {
                let source = std::fs::read_to_string(&path).expect("readable");
                defs.push(
                    onething_core::ServiceDefinition::from_toml("x.toml", &source).expect("loads"),
                );
            }
        }
        let data = search_data(&defs);
        let list: Vec<_> = defs
            .iter()
            .map(onething_core::api::ServiceSummary::from)
            .collect();
        let find = |q: &str| onething::pages::search::find(&list, Some(&data), q);
        for q in [
            "上户口",
            "上戶口",
            "出生證",
            "xse",
            "XSECS",
            "birth certificate",
            "户口登记",
        ] {
            assert_eq!(find(q), ["newborn"], "{q}");
        }
        assert_eq!(find("办营业执照"), ["shop-opening"]);
        assert_eq!(find("辦營業執照"), ["shop-opening"]);
    }
}
