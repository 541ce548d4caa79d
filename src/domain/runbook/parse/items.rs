//! List items and code blocks: deciding what is a checklist step, and
//! giving each step its commands, queries, examples and contract.

use super::super::markdown::{code_role, runnable_parts};
use super::super::{Block, CodeRole, Dialect, Step};
use super::{Builder, ItemDraft};

impl ItemDraft {
    /// Whether it holds something to run: a command or a query.
    pub(super) fn runnable(&self) -> bool {
        !self.inline_commands.is_empty()
            || self
                .code
                .iter()
                .any(|(lang, _, _)| code_role(lang) != CodeRole::Example)
    }
}
use crate::domain::contract;

impl Builder<'_> {
    /// Whether a finished item is a checklist step: every top-level item of
    /// a step section in warroom's own format; in another team's runbook
    /// only task items and items with something to run, so lists of
    /// examples and references stay prose.
    /// `procedure`: the item is in a numbered list with something to run
    /// or a "go to step N" in it, whose items are all steps.
    pub(super) fn is_step(&self, item: &ItemDraft, procedure: bool) -> bool {
        if !self.section_kind().has_steps() {
            return false;
        }
        self.dialect == Dialect::Warroom
            || procedure
            || item.task.is_some()
            || item.runnable()
            || item.contract.is_some()
    }

    /// The item being read is complete: it waits for the end of its list,
    /// when whether its list is a procedure is known.
    pub(super) fn close_item(&mut self) {
        let Some(mut item) = self.item.take() else {
            return;
        };
        let mut buf = std::mem::take(&mut self.buf);
        if let Some((line, marker)) = self.nested.take() {
            let text = buf.trim().to_string();
            push_nested(&mut item, 2, marker, text, line);
        } else {
            item.take_text(&mut buf, "");
        }
        self.list_items.push(item);
    }

    /// A top-level list ended: each item becomes a step or a prose item.
    pub(super) fn flush_list(&mut self) {
        self.close_item();
        let items = std::mem::take(&mut self.list_items);
        let ordered = self.list_ordered;
        let procedure = ordered
            && items.iter().any(|i| {
                i.runnable() || !i.branches.is_empty() || !contract::branches_in(&i.text).is_empty()
            });
        for item in items {
            let step = self.is_step(&item, procedure);
            self.emit_item(item, step);
        }
    }

    fn emit_item(&mut self, item: ItemDraft, step: bool) {
        if !step {
            let text = match item.task {
                Some(true) => format!("[x] {}", item.text),
                Some(false) => format!("[ ] {}", item.text),
                None => item.text.clone(),
            };
            self.push_block(Block::Item {
                depth: 1,
                marker: item.marker.clone(),
                text,
                line: item.line,
            });
            for d in &item.paragraphs {
                self.push_block(Block::Item {
                    depth: 1,
                    marker: String::new(),
                    text: d.clone(),
                    line: item.line,
                });
            }
            for b in item.nested {
                self.push_block(b);
            }
            for (lang, code, line) in item.code {
                self.push_block(Block::Code {
                    role: code_role(&lang),
                    lang,
                    text: code.trim_end().to_string(),
                    line,
                });
            }
            return;
        }
        let mut commands = item.inline_commands;
        let mut queries = Vec::new();
        let mut details = item.details;
        for (lang, code, _) in &item.code {
            let (cmds, qs, example) = runnable_parts(lang, code);
            commands.extend(cmds);
            queries.extend(qs);
            if !example.is_empty() {
                details.push(example);
            }
        }
        self.push_step(Step {
            id: String::new(),
            key: String::new(),
            text: item.text,
            details,
            commands,
            queries,
            line: item.line,
            contract: item.contract,
            contract_error: item.contract_error,
            branches: item.branches,
        });
    }

    pub(super) fn code_block(&mut self, lang: &str, code: &str, line: usize) {
        if contract::is_contract_block(lang, code) {
            return self.contract_block(code, line);
        }
        if let Some(item) = self.item.as_mut() {
            item.code.push((lang.to_string(), code.to_string(), line));
            return;
        }
        let role = code_role(lang);
        if role == CodeRole::Example || !self.section_kind().has_steps() {
            return self.push_block(Block::Code {
                lang: lang.to_string(),
                text: code.trim_end().to_string(),
                role,
                line,
            });
        }
        let (commands, queries, example) = runnable_parts(lang, code);
        if commands.is_empty() && queries.is_empty() {
            if !example.is_empty() {
                self.push_block(Block::Code {
                    lang: lang.to_string(),
                    text: example,
                    role: CodeRole::Example,
                    line,
                });
            }
            return;
        }
        // A block right after a list belongs to the list's last step; a
        // block on its own is a step of its own, described by the paragraph
        // just above it.
        if let Some(Block::Step(i)) = self.blocks.last()
            && let Some(last) = self
                .sections
                .last_mut()
                .and_then(|s| s.steps.iter_mut().last())
                .filter(|_| *i + 1 == self.steps)
        {
            last.commands.extend(commands);
            last.queries.extend(queries);
            if !example.is_empty() {
                last.details.push(example);
            }
            return;
        }
        // The step starts where the words introducing the block do.
        let (text, line) = match self.blocks.last() {
            // Inside `<details>`, its summary says what the block is for.
            Some(Block::Details { summary, .. }) => (summary.clone(), line),
            Some(Block::Paragraph { text, line: at }) => {
                let t = (text.clone(), *at);
                self.blocks.pop();
                if let Some(s) = self.sections.last_mut() {
                    s.prose.pop();
                }
                t
            }
            _ => ("Run".to_string(), line),
        };
        self.push_step(Step {
            id: String::new(),
            key: String::new(),
            text,
            details: if example.is_empty() {
                Vec::new()
            } else {
                vec![example]
            },
            commands,
            queries,
            line,
            contract: None,
            contract_error: None,
            branches: Vec::new(),
        });
    }

    /// A contract belongs to the item it is in, or to the last step when it
    /// follows a list; elsewhere it is shown as text.
    pub(super) fn contract_block(&mut self, code: &str, line: usize) {
        let parsed = contract::parse_contract(code);
        let (contract, error) = match parsed {
            // The fence line comes first; YAML lines start after it.
            Ok(c) => (Some(c), None),
            Err((at, msg)) => (None, Some((line + 1 + at, format!("contract: {msg}")))),
        };
        let after_step = matches!(self.blocks.last(), Some(Block::Step(_)));
        let target = match self.item.as_mut() {
            Some(d) => Some((&mut d.contract, &mut d.contract_error)),
            None if after_step => self
                .sections
                .last_mut()
                .and_then(|s| s.steps.last_mut())
                .map(|s| (&mut s.contract, &mut s.contract_error)),
            None => None,
        };
        match target {
            Some((c, e)) if c.is_none() && e.is_none() => {
                *c = contract;
                *e = error;
            }
            Some((_, e)) => {
                *e = Some((line, "a step has at most one contract block".to_string()));
            }
            None => self.push_block(Block::Code {
                lang: "yaml".into(),
                text: code.trim_end().to_string(),
                role: CodeRole::Example,
                line,
            }),
        }
    }
}

/// A nested item, as a detail line (for a step) and as a block (for prose).
pub(super) fn push_nested(
    item: &mut ItemDraft,
    depth: usize,
    marker: String,
    text: String,
    line: usize,
) {
    if text.is_empty() {
        return;
    }
    let indent = "  ".repeat(depth.saturating_sub(1));
    item.details.push(format!("{indent}{marker} {text}"));
    item.nested.push(Block::Item {
        depth,
        marker,
        text,
        line,
    });
}
