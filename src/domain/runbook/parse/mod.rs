//! Reading a runbook file: front matter, then the markdown body walked with
//! pulldown-cmark into the document's blocks, in file order, and the
//! sections' checklist steps among them.

use std::path::Path;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

mod items;

use items::push_nested;

use super::markdown::{
    dialect, is_relative_doc, looks_like_command, slug, strip_tags, unclosed_fence,
    without_shortcodes,
};
use super::{Block, Dialect, FrontMatter, Runbook, RunbookError, Section, SectionKind, Step};
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

/// A short, stable fingerprint of a runbook's text (FNV-1a, 48 bits).
fn version_of(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:012x}", h >> 16)
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
    let body = without_shortcodes(body);
    let dialect = dialect(&meta, &body);
    let mut b = Builder::new(&body, body_line, dialect);
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
        dialect,
        intro: b.intro,
        sections: b.sections,
        blocks: b.blocks,
        unclosed_fence: unclosed_fence(&body, body_line),
        front_lines: yaml
            .into_iter()
            .flat_map(str::lines)
            .enumerate()
            .filter(|(_, l)| !l.starts_with([' ', '\t', '-', '#']))
            .filter_map(|(i, l)| Some((l.split_once(':')?.0.trim().to_string(), i + 2)))
            .collect(),
        end_line: text.lines().count().max(1),
        version: version_of(text),
        links: b.links,
    })
}

/// A top-level list item being read; whether it is a step is decided once
/// its whole content is known.
#[derive(Default)]
struct ItemDraft {
    line: usize,
    marker: String,
    task: Option<bool>,
    text: String,
    /// Later paragraphs and nested items, indented by depth, in order.
    details: Vec<String>,
    /// Later paragraphs alone, should the item not be a step.
    paragraphs: Vec<String>,
    /// Nested items as blocks, should the item not be a step.
    nested: Vec<Block>,
    /// Inline code that reads as a command.
    inline_commands: Vec<String>,
    /// Code blocks inside the item: language, text, line.
    code: Vec<(String, String, usize)>,
    contract: Option<Contract>,
    contract_error: Option<(usize, String)>,
    branches: Vec<Branch>,
}

impl ItemDraft {
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
            self.paragraphs.push(t);
        }
    }
}

/// A list being read: ordered ones count their items.
struct ListCtx {
    next: Option<u64>,
}

struct Builder<'a> {
    body: &'a str,
    line_starts: Vec<usize>,
    first_line: usize,
    dialect: Dialect,
    title: Option<String>,
    intro: Vec<String>,
    sections: Vec<Section>,
    blocks: Vec<Block>,
    /// Relative links, with their lines, for lint to check.
    links: Vec<(usize, String)>,
    buf: String,
    heading: bool,
    quote: usize,
    lists: Vec<ListCtx>,
    /// Start line and marker of the nested item being read.
    nested: Option<(usize, String)>,
    item: Option<ItemDraft>,
    /// Finished items of the top-level list being read.
    list_items: Vec<ItemDraft>,
    /// Whether that list is numbered.
    list_ordered: bool,
    code: Option<(String, String, usize)>,
    /// An open link: where it points and where its text starts.
    link: Option<(String, usize)>,
    /// The text of an HTML block being read.
    html: Option<(String, usize)>,
    table: Option<(Vec<Vec<String>>, Vec<String>, usize)>,
    /// Where the paragraph being read started.
    para_line: usize,
    steps: usize,
}

impl<'a> Builder<'a> {
    fn new(body: &'a str, first_line: usize, dialect: Dialect) -> Self {
        let line_starts = std::iter::once(0)
            .chain(body.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Builder {
            body,
            line_starts,
            first_line,
            dialect,
            title: None,
            intro: Vec::new(),
            sections: Vec::new(),
            blocks: Vec::new(),
            links: Vec::new(),
            buf: String::new(),
            heading: false,
            quote: 0,
            lists: Vec::new(),
            nested: None,
            item: None,
            list_items: Vec::new(),
            list_ordered: false,
            code: None,
            link: None,
            html: None,
            table: None,
            para_line: first_line,
            steps: 0,
        }
    }

    fn line_of(&self, offset: usize) -> usize {
        let idx = self.line_starts.partition_point(|&s| s <= offset);
        self.first_line + idx.saturating_sub(1)
    }

    fn section_kind(&self) -> SectionKind {
        self.sections.last().map_or(SectionKind::Other, |s| s.kind)
    }

    /// A block in document order; its text also counts as the section's
    /// prose (for lint, and for runbooks read as lists of sections).
    fn push_block(&mut self, block: Block) {
        let text = match &block {
            Block::Paragraph { text, .. } | Block::Quote { text, .. } => Some(text.clone()),
            Block::Item { text, depth, .. } => {
                Some(format!("{}• {text}", "  ".repeat(depth.saturating_sub(1))))
            }
            Block::Code { text, .. } => Some(text.clone()),
            Block::Details { summary, .. } => Some(summary.clone()),
            Block::Table { rows, .. } => Some(
                rows.iter()
                    .map(|r| format!("| {}", r.join(" | ")))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            Block::Heading { .. } | Block::Step(_) | Block::DetailsEnd => None,
        };
        if let Some(t) = text.filter(|t| !t.trim().is_empty()) {
            match self.sections.last_mut() {
                Some(s) => s.prose.push(t),
                None => self.intro.push(t),
            }
        }
        self.blocks.push(block);
    }

    fn push_step(&mut self, mut step: Step) {
        let Some(section) = self.sections.last_mut() else {
            return;
        };
        step.id = format!("{}-{}", section.kind.slug(), section.steps.len() + 1);
        section.steps.push(step);
        self.blocks.push(Block::Step(self.steps));
        self.steps += 1;
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
        self.flush_list();
        self.flush_paragraph();
        self.finalise_steps();
    }

    /// Contract ids replace positional ones; prose branches are read once
    /// each step's text is complete; every step gets its stable key.
    fn finalise_steps(&mut self) {
        let mut seen: std::collections::HashMap<String, usize> = Default::default();
        for section in &mut self.sections {
            let heading = slug(&section.heading);
            for step in &mut section.steps {
                let explicit = step.contract.as_ref().and_then(|c| c.id.clone());
                if let Some(id) = &explicit {
                    step.id = id.clone();
                }
                let mut found = contract::branches_in(&step.text);
                for d in &step.details {
                    found.extend(contract::branches_in(d));
                }
                step.branches.extend(found);
                // An id the author gave is the key: the text may change.
                let base = match &explicit {
                    Some(id) => format!("={id}"),
                    None => format!("{heading}/{}", slug(&step.text)),
                };
                let n = seen.entry(base.clone()).or_default();
                *n += 1;
                step.key = if *n == 1 { base } else { format!("{base}#{n}") };
            }
        }
    }

    fn flush_paragraph(&mut self) {
        let text = std::mem::take(&mut self.buf).trim().to_string();
        if text.is_empty() {
            return;
        }
        let line = self.para_line;
        if self.quote > 0 {
            self.push_block(Block::Quote { text, line });
        } else {
            self.push_block(Block::Paragraph { text, line });
        }
    }

    fn event(&mut self, event: Event<'_>, offset: usize) {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                self.flush_list();
                self.flush_paragraph();
                self.heading = true;
            }
            Event::End(TagEnd::Heading(level)) => {
                self.heading = false;
                let text = std::mem::take(&mut self.buf).trim().to_string();
                self.heading_done(level, text, self.line_of(offset));
            }
            Event::Start(Tag::Paragraph) => self.para_line = self.line_of(offset),
            Event::Start(Tag::BlockQuote(_)) => {
                self.flush_paragraph();
                self.quote += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                self.flush_paragraph();
                self.quote = self.quote.saturating_sub(1);
            }
            Event::Start(Tag::List(start)) => {
                if self.lists.is_empty() {
                    self.flush_paragraph();
                } else if let Some(item) = self.item.as_mut() {
                    // The text before a nested list is the item's own.
                    match self.nested.as_ref() {
                        None => item.take_text(&mut self.buf, ""),
                        Some((line, marker)) => {
                            let text = std::mem::take(&mut self.buf).trim().to_string();
                            let depth = self.lists.len();
                            push_nested(item, depth, marker.clone(), text, *line);
                            self.nested = None;
                        }
                    }
                }
                if self.lists.is_empty() {
                    self.list_ordered = start.is_some();
                }
                self.lists.push(ListCtx { next: start });
            }
            Event::End(TagEnd::List(_)) => {
                self.lists.pop();
                if self.lists.is_empty() {
                    self.flush_list();
                }
            }
            Event::Start(Tag::Item) => {
                let marker = match self.lists.last_mut() {
                    Some(ListCtx { next: Some(n) }) => {
                        let m = format!("{n}.");
                        *n += 1;
                        m
                    }
                    _ => "•".to_string(),
                };
                let line = self.line_of(offset);
                if self.lists.len() == 1 {
                    self.close_item();
                    self.buf.clear();
                    self.item = Some(ItemDraft {
                        line,
                        marker,
                        ..ItemDraft::default()
                    });
                } else {
                    self.nested = Some((line, marker));
                }
            }
            Event::TaskListMarker(done) => {
                if self.lists.len() == 1
                    && let Some(item) = self.item.as_mut()
                {
                    item.task = Some(done);
                }
            }
            Event::End(TagEnd::Item) => {
                if self.lists.len() > 1 {
                    let text = std::mem::take(&mut self.buf).trim().to_string();
                    let (line, marker) = self.nested.take().unwrap_or((0, "•".into()));
                    let depth = self.lists.len();
                    if let Some(item) = self.item.as_mut() {
                        push_nested(item, depth, marker, text, line);
                    }
                } else {
                    self.close_item();
                }
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some(item) = self.item.as_mut() {
                    if self.nested.is_none() {
                        item.take_text(&mut self.buf, "");
                    }
                    // A nested item's paragraph ends with the item.
                } else {
                    self.flush_paragraph();
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => l.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                if self.item.is_none() {
                    self.flush_paragraph();
                }
                self.code = Some((lang, String::new(), self.line_of(offset)));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, code, line)) = self.code.take() {
                    self.code_block(&lang, &code, line);
                }
            }
            Event::Text(t) => match self.code.as_mut() {
                Some((_, code, _)) => code.push_str(&t),
                None => match self.html.as_mut() {
                    Some((html, _)) => html.push_str(&t),
                    None => self.buf.push_str(&t),
                },
            },
            Event::Code(c) => {
                self.buf.push('`');
                self.buf.push_str(&c);
                self.buf.push('`');
                if let Some(item) = self.item.as_mut()
                    && looks_like_command(&c)
                {
                    item.inline_commands.push(c.trim().to_string());
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                self.link = Some((dest_url.to_string(), self.buf.len()));
                if is_relative_doc(&dest_url) {
                    self.links
                        .push((self.line_of(offset), dest_url.to_string()));
                }
            }
            Event::End(TagEnd::Link) => {
                let Some((dest, start)) = self.link.take() else {
                    return;
                };
                let label = self.buf.get(start..).unwrap_or("").trim().to_string();
                match dest.strip_prefix('#') {
                    Some(anchor) => {
                        if let Some(item) = self.item.as_mut() {
                            item.branches.push(Branch {
                                label: if label.is_empty() {
                                    dest.clone()
                                } else {
                                    label
                                },
                                target: Target::Id(anchor.to_string()),
                            });
                        }
                    }
                    // The address is kept, so "See Debugging Pods" says where.
                    None if !dest.is_empty() && label != dest => {
                        self.buf.push_str(&format!(" <{dest}>"));
                    }
                    None => {}
                }
            }
            Event::Start(Tag::HtmlBlock) => {
                self.flush_paragraph();
                self.html = Some((String::new(), self.line_of(offset)));
            }
            Event::Html(h) => match self.html.as_mut() {
                Some((html, _)) => html.push_str(&h),
                None => self.buf.push_str(&strip_tags(&h)),
            },
            Event::InlineHtml(h) => self.buf.push_str(&strip_tags(&h)),
            Event::End(TagEnd::HtmlBlock) => {
                if let Some((html, line)) = self.html.take() {
                    self.html_block(&html, line);
                }
            }
            Event::SoftBreak | Event::HardBreak => self.buf.push(' '),
            Event::Start(Tag::Table(_)) => {
                self.flush_paragraph();
                self.table = Some((Vec::new(), Vec::new(), self.line_of(offset)));
            }
            Event::End(TagEnd::TableCell) => {
                let cell = std::mem::take(&mut self.buf).trim().to_string();
                if let Some((_, row, _)) = self.table.as_mut() {
                    row.push(cell);
                }
            }
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                if let Some((rows, row, _)) = self.table.as_mut() {
                    rows.push(std::mem::take(row));
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some((rows, _, line)) = self.table.take() {
                    self.push_block(Block::Table { rows, line });
                }
            }
            _ => {}
        }
    }

    /// `<details>` opens a foldable part, `</details>` closes it; other HTML
    /// keeps its words.
    fn html_block(&mut self, html: &str, line: usize) {
        let lower = html.to_ascii_lowercase();
        if let Some(start) = lower.find("<details") {
            let summary = lower
                .find("<summary")
                .and_then(|s| {
                    let open = s + html[s..].find('>')? + 1;
                    let close = open + lower[open..].find("</summary")?;
                    Some(strip_tags(&html[open..close]))
                })
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "Details".to_string());
            let before = strip_tags(&html[..start]);
            if !before.is_empty() {
                self.push_text(before, line);
            }
            self.push_block(Block::Details { summary, line });
            let after_summary = lower
                .find("</summary>")
                .map_or(start, |e| e + "</summary>".len());
            let end = lower.find("</details").unwrap_or(html.len());
            let body = strip_tags(
                html.get(after_summary..end.max(after_summary))
                    .unwrap_or(""),
            );
            if !body.is_empty() {
                self.push_text(body, line);
            }
            if lower.contains("</details") {
                self.push_block(Block::DetailsEnd);
            }
            return;
        }
        if lower.contains("</details") {
            let before = strip_tags(&html[..lower.find("</details").unwrap_or(0)]);
            if !before.is_empty() {
                self.push_text(before, line);
            }
            self.push_block(Block::DetailsEnd);
            return;
        }
        let text = strip_tags(html);
        if !text.is_empty() {
            self.push_text(text, line);
        }
    }

    /// Text from HTML: part of the item being read, else a paragraph.
    fn push_text(&mut self, text: String, line: usize) {
        match self.item.as_mut() {
            Some(item) => {
                item.details.push(text.clone());
                item.paragraphs.push(text);
            }
            None => self.push_block(Block::Paragraph { text, line }),
        }
    }

    fn heading_done(&mut self, level: HeadingLevel, text: String, line: usize) {
        if level == HeadingLevel::H1 && self.title.is_none() && self.sections.is_empty() {
            self.title = Some(text);
            return;
        }
        if level <= HeadingLevel::H2 {
            self.sections.push(Section {
                kind: SectionKind::from_heading_in(&text, self.dialect),
                heading: text.clone(),
                line,
                prose: Vec::new(),
                steps: Vec::new(),
            });
        }
        let level = match level {
            HeadingLevel::H1 | HeadingLevel::H2 => 2,
            HeadingLevel::H3 => 3,
            HeadingLevel::H4 => 4,
            _ => 5,
        };
        self.blocks.push(Block::Heading { level, text, line });
    }
}
