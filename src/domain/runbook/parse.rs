//! Reading a runbook file: front matter, then the markdown body walked with
//! pulldown-cmark into sections and steps.

use std::path::Path;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::{FrontMatter, Runbook, RunbookError, Section, SectionKind, Step};
use crate::domain::contract::{self, Branch, Contract, Target};

/// Splits `---` front matter from the body; returns the YAML, the body and the
/// body's first line number.
fn split_front_matter(text: &str) -> (Option<&str>, &str, usize) {
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (None, text, 1);
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let body_line = 2 + yaml.lines().count() + 1;
            return (Some(yaml), body, body_line);
        }
        offset += line.len();
    }
    (None, text, 1)
}

/// Parses one runbook. `path` names it in errors and gives the default id.
pub fn parse(path: &Path, text: &str) -> Result<Runbook, RunbookError> {
    let (yaml, body, body_line) = split_front_matter(text);
    if text.starts_with("---") && yaml.is_none() {
        return Err(RunbookError {
            path: path.to_path_buf(),
            line: 1,
            message: "front matter starts with '---' but has no closing '---' line".into(),
        });
    }
    let meta: FrontMatter = match yaml {
        Some(y) if !y.trim().is_empty() => serde_yaml::from_str(y).map_err(|e| RunbookError {
            path: path.to_path_buf(),
            line: 1 + e.location().map_or(1, |l| l.line()),
            message: format!("front matter: {e}"),
        })?,
        _ => FrontMatter::default(),
    };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("runbook")
        .to_string();
    let mut b = Builder::new(body, body_line);
    b.run();
    let id = meta.id.clone().unwrap_or(stem);
    let title = meta
        .title
        .clone()
        .or(b.title.take())
        .unwrap_or_else(|| id.clone());
    Ok(Runbook {
        id,
        title,
        path: path.to_path_buf(),
        meta,
        intro: b.intro,
        sections: b.sections,
    })
}

#[derive(Default)]
struct StepDraft {
    line: usize,
    text: String,
    details: Vec<String>,
    commands: Vec<String>,
    contract: Option<Contract>,
    contract_error: Option<(usize, String)>,
    branches: Vec<Branch>,
}

impl StepDraft {
    fn take_text(&mut self, buf: &mut String, indent: &str) {
        let t = buf.trim().to_string();
        buf.clear();
        if t.is_empty() {
            return;
        }
        if self.text.is_empty() {
            self.text = t;
        } else {
            self.details.push(format!("{indent}{t}"));
        }
    }
}

struct Builder<'a> {
    body: &'a str,
    line_starts: Vec<usize>,
    first_line: usize,
    title: Option<String>,
    intro: Vec<String>,
    sections: Vec<Section>,
    buf: String,
    heading: bool,
    list_depth: usize,
    step: Option<StepDraft>,
    code: Option<(String, String, usize)>,
    /// An open link inside a step: where it points and where its text starts.
    link: Option<(String, usize)>,
    /// The text of an HTML block being read.
    html: Option<String>,
}

impl<'a> Builder<'a> {
    fn new(body: &'a str, first_line: usize) -> Self {
        let line_starts = std::iter::once(0)
            .chain(body.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Builder {
            body,
            line_starts,
            first_line,
            title: None,
            intro: Vec::new(),
            sections: Vec::new(),
            buf: String::new(),
            heading: false,
            list_depth: 0,
            step: None,
            code: None,
            link: None,
            html: None,
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        let idx = self.line_starts.partition_point(|&s| s <= offset);
        self.first_line + idx.saturating_sub(1)
    }

    fn in_step_section(&self) -> bool {
        self.sections.last().is_some_and(|s| s.kind.has_steps())
    }

    fn push_prose(&mut self, text: String) {
        if text.trim().is_empty() {
            return;
        }
        match self.sections.last_mut() {
            Some(s) => s.prose.push(text),
            None => self.intro.push(text),
        }
    }

    fn finish_step(&mut self) {
        let Some(mut draft) = self.step.take() else {
            return;
        };
        let mut buf = std::mem::take(&mut self.buf);
        draft.take_text(&mut buf, "");
        if let Some(section) = self.sections.last_mut() {
            let n = section.steps.len() + 1;
            let id = format!("{}-{n}", section.kind.slug());
            section.steps.push(Step {
                id,
                text: draft.text,
                details: draft.details,
                commands: draft.commands,
                line: draft.line,
                contract: draft.contract,
                contract_error: draft.contract_error,
                branches: draft.branches,
            });
        }
    }

    fn run(&mut self) {
        let opts =
            Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
        let events: Vec<_> = Parser::new_ext(self.body, opts)
            .into_offset_iter()
            .collect();
        for (event, range) in events {
            self.event(event, range.start);
        }
        self.finish_step();
        // Contract ids replace positional ones; prose branches are read last,
        // once each step's text is complete.
        for step in self.sections.iter_mut().flat_map(|s| s.steps.iter_mut()) {
            if let Some(id) = step.contract.as_ref().and_then(|c| c.id.clone()) {
                step.id = id;
            }
            let mut found = contract::branches_in(&step.text);
            for d in &step.details {
                found.extend(contract::branches_in(d));
            }
            step.branches.extend(found);
        }
    }

    fn event(&mut self, event: Event<'_>, offset: usize) {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                self.finish_step();
                self.heading = true;
                self.buf.clear();
            }
            Event::End(TagEnd::Heading(level)) => {
                self.heading = false;
                let text = std::mem::take(&mut self.buf).trim().to_string();
                self.heading_done(level, text, self.line_of(offset));
            }
            Event::Start(Tag::List(_)) => {
                if self.list_depth > 0
                    && let Some(step) = self.step.as_mut()
                {
                    step.take_text(&mut self.buf, "");
                }
                self.list_depth += 1;
            }
            Event::End(TagEnd::List(_)) => {
                self.list_depth = self.list_depth.saturating_sub(1);
            }
            Event::Start(Tag::Item) if self.list_depth == 1 && self.in_step_section() => {
                self.finish_step();
                self.buf.clear();
                self.step = Some(StepDraft {
                    line: self.line_of(offset),
                    ..StepDraft::default()
                });
            }
            Event::End(TagEnd::Item) => {
                let indent = "  ".repeat(self.list_depth.saturating_sub(1));
                if let Some(step) = self.step.as_mut() {
                    if self.list_depth > 1 {
                        let t = self.buf.trim().to_string();
                        self.buf.clear();
                        if !t.is_empty() {
                            step.details.push(format!("{indent}• {t}"));
                        }
                    } else {
                        self.finish_step();
                    }
                } else {
                    let t = std::mem::take(&mut self.buf).trim().to_string();
                    if !t.is_empty() {
                        self.push_prose(format!("{indent}• {t}"));
                    }
                }
            }
            Event::End(TagEnd::Paragraph) => {
                if self.list_depth > 0 {
                    if let Some(step) = self.step.as_mut() {
                        step.take_text(&mut self.buf, "");
                    }
                    // In a prose list, the item end flushes the text.
                } else {
                    let t = std::mem::take(&mut self.buf).trim().to_string();
                    self.push_prose(t);
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => l.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new(), self.line_of(offset)));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, code, line)) = self.code.take() {
                    self.code_block(&lang, &code, line);
                }
            }
            Event::Text(t) => match self.code.as_mut() {
                Some((_, code, _)) => code.push_str(&t),
                None => self.buf.push_str(&t),
            },
            Event::Code(c) => {
                self.buf.push('`');
                self.buf.push_str(&c);
                self.buf.push('`');
                if let Some(step) = self.step.as_mut()
                    && looks_like_command(&c)
                {
                    step.commands.push(c.trim().to_string());
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) if self.step.is_some() => {
                if let Some(anchor) = dest_url.strip_prefix('#') {
                    self.link = Some((anchor.to_string(), self.buf.len()));
                }
            }
            Event::End(TagEnd::Link) => {
                if let (Some((anchor, start)), Some(step)) = (self.link.take(), self.step.as_mut())
                {
                    let label = self.buf.get(start..).unwrap_or("").trim().to_string();
                    step.branches.push(Branch {
                        label: if label.is_empty() {
                            format!("#{anchor}")
                        } else {
                            label
                        },
                        target: Target::Id(anchor),
                    });
                }
            }
            Event::Start(Tag::HtmlBlock) => self.html = Some(String::new()),
            Event::Html(h) => {
                if let Some(html) = self.html.as_mut() {
                    html.push_str(&h);
                }
            }
            Event::End(TagEnd::HtmlBlock) => {
                // `<details><summary>Example</summary>` keeps its words; the
                // tags themselves mean nothing in a terminal.
                let text = strip_tags(&self.html.take().unwrap_or_default());
                if !text.is_empty() {
                    match self.step.as_mut() {
                        Some(step) => step.details.push(text),
                        None => self.push_prose(text),
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => self.buf.push(' '),
            Event::End(TagEnd::TableCell) => self.buf.push_str(" | "),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                let t = std::mem::take(&mut self.buf);
                self.push_prose(format!("| {}", t.trim()));
            }
            _ => {}
        }
    }

    fn heading_done(&mut self, level: HeadingLevel, text: String, line: usize) {
        if level == HeadingLevel::H1 && self.title.is_none() && self.sections.is_empty() {
            self.title = Some(text);
        } else if level <= HeadingLevel::H2 {
            self.sections.push(Section {
                kind: SectionKind::from_heading(&text),
                heading: text,
                line,
                prose: Vec::new(),
                steps: Vec::new(),
            });
        } else {
            self.push_prose(text);
        }
    }

    fn code_block(&mut self, lang: &str, code: &str, line: usize) {
        if contract::is_contract_block(lang, code) {
            return self.contract_block(code, line);
        }
        let lang = lang.split_whitespace().next().unwrap_or("");
        let is_data = matches!(
            lang,
            "yaml" | "yml" | "json" | "text" | "txt" | "plaintext" | "output" | "log" | "none"
        );
        // A terminal transcript (`$ cmd` then its output): the `$` lines are
        // the commands, the rest is an example of what they print.
        let (commands, example) = match (is_data, prompt_commands(code)) {
            (false, Some((cmds, output))) => (cmds, output),
            (false, None) => (vec![join_continuations(code)], String::new()),
            (true, _) => (Vec::new(), code.trim_end().to_string()),
        };
        let commands: Vec<String> = commands.into_iter().filter(|c| !c.is_empty()).collect();
        if commands.is_empty() && example.is_empty() {
            return;
        }
        if let Some(step) = self.step.as_mut() {
            step.commands.extend(commands);
            if !example.is_empty() {
                step.details.push(example);
            }
            return;
        }
        if !self.in_step_section() {
            for c in commands {
                self.push_prose(c);
            }
            self.push_prose(example);
            return;
        }
        let section = match self.sections.last_mut() {
            Some(s) => s,
            None => return,
        };
        if commands.is_empty() {
            section.prose.push(example);
            return;
        }
        // A block right after a list belongs to the list's last step; a block on
        // its own becomes a step of its own, described by the paragraph above it.
        match section.steps.last_mut() {
            Some(last) if section.prose.len() <= 1 => {
                last.commands.extend(commands);
                if !example.is_empty() {
                    last.details.push(example);
                }
            }
            _ => {
                let text = section.prose.pop().unwrap_or_else(|| "Run".to_string());
                let id = format!("{}-{}", section.kind.slug(), section.steps.len() + 1);
                section.steps.push(Step {
                    id,
                    text,
                    details: if example.is_empty() {
                        Vec::new()
                    } else {
                        vec![example]
                    },
                    commands,
                    line,
                    contract: None,
                    contract_error: None,
                    branches: Vec::new(),
                });
            }
        }
    }

    /// A contract belongs to the step it is in, or to the last step when it
    /// follows a list; elsewhere it is shown as text.
    fn contract_block(&mut self, code: &str, line: usize) {
        let parsed = contract::parse_contract(code);
        let (contract, error) = match parsed {
            // The fence line comes first; YAML lines start after it.
            Ok(c) => (Some(c), None),
            Err((at, msg)) => (None, Some((line + 1 + at, format!("contract: {msg}")))),
        };
        let target = match self.step.as_mut() {
            Some(d) => Some((&mut d.contract, &mut d.contract_error)),
            None => self
                .sections
                .last_mut()
                .filter(|s| s.kind.has_steps())
                .and_then(|s| s.steps.last_mut())
                .map(|s| (&mut s.contract, &mut s.contract_error)),
        };
        match target {
            Some((c, e)) if c.is_none() && e.is_none() => {
                *c = contract;
                *e = error;
            }
            Some((_, e)) => {
                *e = Some((line, "a step has at most one contract block".to_string()));
            }
            None => self.push_prose(code.trim().to_string()),
        }
    }
}

/// The words of an HTML fragment: tags and comments dropped, entities for
/// the common characters decoded, whitespace collapsed.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut in_comment = false;
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        if in_comment {
            if rest.starts_with("-->") {
                in_comment = false;
                i += 3;
                continue;
            }
        } else if rest.starts_with("<!--") {
            in_comment = true;
            i += 4;
            continue;
        } else if rest.starts_with('<') {
            in_tag = true;
            out.push(' ');
        } else if rest.starts_with('>') && in_tag {
            in_tag = false;
        } else if !in_tag && let Some(c) = rest.chars().next() {
            out.push(c);
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Inline code is a command when it has words to run: `kubectl get pods` is,
/// `5xx`, `namespace` and a lone `{{ $labels.issuer }}` are not.
fn looks_like_command(code: &str) -> bool {
    let code = code.trim();
    let lone_placeholder = matches!(
        crate::domain::placeholder::scan(code).as_slice(),
        [p] if p.start == 0 && p.end == code.len()
    );
    code.contains(char::is_whitespace) && !lone_placeholder
}

/// Reads a terminal transcript: lines starting with a `$ ` prompt (and their
/// `\` continuations) are commands, the others their output. `None` when the
/// block has no prompt, so it is a script as written.
fn prompt_commands(code: &str) -> Option<(Vec<String>, String)> {
    if !code.lines().any(|l| l.trim_start().starts_with("$ ")) {
        return None;
    }
    let mut commands: Vec<String> = Vec::new();
    let mut output: Vec<&str> = Vec::new();
    let mut continued = false;
    for l in code.lines() {
        let t = l.trim_start();
        if let Some(cmd) = t.strip_prefix("$ ") {
            commands.push(cmd.to_string());
        } else if continued && let Some(last) = commands.last_mut() {
            last.push('\n');
            last.push_str(l);
        } else if !t.is_empty() {
            output.push(l);
        }
        continued = t.trim_end().ends_with('\\');
    }
    let commands = commands.iter().map(|c| join_continuations(c)).collect();
    Some((commands, output.join("\n")))
}

/// Joins shell lines ending with `\` so a wrapped command stays one command.
fn join_continuations(code: &str) -> String {
    let mut out = String::new();
    let mut continued = false;
    for line in code.trim_end().lines() {
        let piece = if continued { line.trim_start() } else { line };
        let (piece, cont) = match piece.trim_end().strip_suffix('\\') {
            Some(p) => (p.trim_end(), true),
            None => (piece.trim_end(), false),
        };
        if !out.is_empty() {
            out.push(if continued { ' ' } else { '\n' });
        }
        out.push_str(piece);
        continued = cont;
    }
    out.trim().to_string()
}
