//! `coop fmt`: one canonical layout for `.coop` text, keeping every comment.
//!
//! The layout follows the parse tree: each declaration, field and nested entry on its own line,
//! two spaces of indentation a level, single spaces between tokens, a blank line between
//! declarations. A block written on one line stays on one line when it has no comment and fits
//! in 100 columns. Comments are not in the tree, so they are found in the gaps between tokens and
//! put back: a comment on a line of its own stays on a line of its own before what follows it; a
//! comment after code stays at the end of that line; a comment inside a field that becomes one
//! line moves to a line of its own before it.

use pest::iterators::Pair;

use super::parser::{Rule, parse_file};
use crate::diagnostic::Diagnostic;
use crate::source::FileId;

/// The width a one-line block may take.
const WIDTH: usize = 100;

/// Formats a file's text, or returns its syntax error (a file that does not parse is never
/// rewritten). The result is checked to hold the same tokens and comments as the text.
pub fn format(file: FileId, text: &str) -> Result<String, Box<Diagnostic>> {
    let pair = parse_file(file, text)?;
    let comments = super::trivia::comments(text);
    let mut formatter = Formatter {
        text,
        comments: &comments,
        next_comment: 0,
        out: String::with_capacity(text.len()),
    };
    formatter.file(pair);
    let mut formatted = formatter.out;
    // The file keeps its byte-order mark and its line ends, whatever they are.
    if text.contains("\r\n") {
        formatted = formatted.replace('\n', "\r\n");
    }
    if text.starts_with('\u{FEFF}') {
        formatted.insert(0, '\u{FEFF}');
    }
    let check = parse_file(file, &formatted).map_err(|_| unformattable(file))?;
    let before = parse_file(file, text)?;
    if tokens(before) != tokens(check)
        || comments.len() != super::trivia::comments(&formatted).len()
    {
        return Err(unformattable(file));
    }
    Ok(formatted)
}

/// A formatter that would change a file's meaning or lose a comment is a bug; refusing is the
/// safe answer, and the message asks for a report.
fn unformattable(file: FileId) -> Box<Diagnostic> {
    Box::new(Diagnostic::of(
        super::problems::SyntaxProblem::FormatterFailed,
        crate::source::Span::new(file, 0, 0),
    ))
}

struct Formatter<'t> {
    text: &'t str,
    /// Every comment, as byte ranges, in order.
    comments: &'t [(usize, usize)],
    /// The first comment not yet written.
    next_comment: usize,
    out: String,
}

impl Formatter<'_> {
    fn file(&mut self, pair: Pair<'_, Rule>) {
        // A blank line separates declarations where the source had one, and always around a
        // declaration laid out over several lines; one-line declarations may stand together.
        // Whether a declaration takes several lines is known once it is laid out, so each is
        // laid out on its own before the separator is chosen.
        let mut previous: Option<(usize, bool)> = None;
        for item in pair.into_inner() {
            if item.as_rule() == Rule::EOI {
                break;
            }
            let start = item.as_span().start();
            let end = end_of(&item);
            let written_so_far = std::mem::take(&mut self.out);
            self.leading_comments(start, 0);
            let comments = std::mem::take(&mut self.out);
            self.entry(item, 0);
            let laid_out = std::mem::replace(&mut self.out, written_so_far);
            let several_lines = laid_out.matches('\n').count() > 1;
            if let Some((previous_end, previous_several_lines)) = previous {
                let gap = &self.text[previous_end..start];
                let blank_in_source = gap.lines().skip(1).any(|line| line.trim().is_empty());
                if blank_in_source || previous_several_lines || several_lines {
                    self.out.push('\n');
                }
            }
            self.out.push_str(&comments);
            self.out.push_str(&laid_out);
            previous = Some((end, several_lines));
        }
        // Comments after the last declaration, after a blank line if the source had one.
        if let (Some((previous_end, _)), Some(&(start, _))) =
            (previous, self.comments.get(self.next_comment))
            && self.text[previous_end..start]
                .lines()
                .skip(1)
                .any(|line| line.trim().is_empty())
        {
            self.out.push('\n');
        }
        self.leading_comments(self.text.len(), 0);
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
    }

    /// One line, or one block, at `depth`, with the comment that ends its last line.
    fn entry(&mut self, pair: Pair<'_, Rule>, depth: usize) {
        let children: Vec<Pair<'_, Rule>> = pair.clone().into_inner().collect();
        match children
            .iter()
            .position(|child| child.as_rule() == Rule::open_brace)
        {
            Some(open) => self.block(&pair, &children, open, depth),
            None => {
                let end = end_of(&pair);
                self.inner_comments(pair.as_span().start(), end, depth);
                let lines = lines(pair, depth);
                let last = lines.len().saturating_sub(1);
                for (index, (extra, line)) in lines.into_iter().enumerate() {
                    if index == last {
                        self.line(depth + extra, &line, end);
                    } else {
                        self.out.push_str(&indent(depth + extra));
                        self.out.push_str(&line);
                        self.out.push('\n');
                    }
                }
            }
        }
    }

    fn block(
        &mut self,
        pair: &Pair<'_, Rule>,
        children: &[Pair<'_, Rule>],
        open: usize,
        depth: usize,
    ) {
        let header_end = children[open].as_span().start();
        self.inner_comments(pair.as_span().start(), header_end, depth);
        let header: Vec<Token> = children[..open]
            .iter()
            .flat_map(|child| leaves(child.clone()))
            .collect();
        let header = join(&header);
        let entries: Vec<&Pair<'_, Rule>> = children[open + 1..]
            .iter()
            .filter(|child| child.as_rule() != Rule::close_brace)
            .collect();
        let close = children
            .iter()
            .rev()
            .find(|child| child.as_rule() == Rule::close_brace)
            .map_or(pair.as_span().end(), |close| close.as_span().start());
        let start = pair.as_span().start();
        let end = end_of(pair);
        let written_on_one_line = !self.text[start..end].contains('\n');
        // Comments are in order, so only the next one can fall inside this block.
        let has_comment = self
            .comments
            .get(self.next_comment)
            .is_some_and(|(comment, _)| *comment < end);
        if written_on_one_line && !has_comment {
            let inner: Vec<String> = entries
                .iter()
                .map(|entry| join(&leaves((*entry).clone())))
                .collect();
            let one_line = if inner.is_empty() {
                format!("{header} {{ }}")
            } else {
                format!("{header} {{ {} }}", inner.join(" "))
            };
            if indent(depth).len() + one_line.chars().count() <= WIDTH {
                self.line(depth, &one_line, end);
                return;
            }
        }
        self.line(
            depth,
            &format!("{header} {{"),
            children[open].as_span().end(),
        );
        for entry in entries {
            self.leading_comments(entry.as_span().start(), depth + 1);
            self.entry(entry.clone(), depth + 1);
        }
        self.leading_comments(close, depth + 1);
        self.line(depth, "}", end);
    }

    /// Writes a line, then the comment that follows `end` on the same source line, if any.
    fn line(&mut self, depth: usize, code: &str, end: usize) {
        self.out.push_str(&indent(depth));
        self.out.push_str(code);
        // Only a comment with nothing but spaces between it and this line's last token ends
        // this line; one after more code on the same source line belongs to that code.
        if let Some(&(start, comment_end)) = self.comments.get(self.next_comment)
            && start >= end
            && self.text[end..start].trim().is_empty()
            && !self.text[end..start].contains('\n')
        {
            self.out.push_str("  ");
            self.out.push_str(self.text[start..comment_end].trim_end());
            self.next_comment += 1;
        }
        self.out.push('\n');
    }

    /// Writes the comments before `position` on lines of their own, keeping one blank line
    /// where the source had one or more between comments.
    fn leading_comments(&mut self, position: usize, depth: usize) {
        let mut previous_end: Option<usize> = None;
        while let Some(&(start, end)) = self.comments.get(self.next_comment) {
            if start >= position {
                break;
            }
            if let Some(previous) = previous_end
                && self.text[previous..start].matches('\n').count() > 1
            {
                self.out.push('\n');
            }
            self.out.push_str(&indent(depth));
            self.out.push_str(self.text[start..end].trim_end());
            self.out.push('\n');
            self.next_comment += 1;
            previous_end = Some(end);
        }
        if let Some(previous) = previous_end
            && self.text[previous..position.min(self.text.len())]
                .matches('\n')
                .count()
                > 1
            && position < self.text.len()
        {
            self.out.push('\n');
        }
    }

    /// Comments inside one line's tokens cannot stay there: they go on lines of their own before it.
    fn inner_comments(&mut self, start: usize, end: usize, depth: usize) {
        while let Some(&(comment_start, comment_end)) = self.comments.get(self.next_comment) {
            if comment_start < start || comment_start >= end {
                break;
            }
            self.out.push_str(&indent(depth));
            self.out
                .push_str(self.text[comment_start..comment_end].trim_end());
            self.out.push('\n');
            self.next_comment += 1;
        }
    }
}

/// Where a pair's last token ends: pest counts whitespace skipped before an absent optional
/// part into the pair, and a comment on the next line must not look like this line's.
fn end_of(pair: &Pair<'_, Rule>) -> usize {
    pair.clone()
        .into_inner()
        .last()
        .map_or(pair.as_span().end(), |last| end_of(&last))
}

fn indent(depth: usize) -> String {
    "  ".repeat(depth)
}

/// The lines of a field, each with its extra indentation: one line, except that `else` starts a
/// line of its own, and an expression too wide for one line breaks before each `and` and `or`
/// that is not inside parentheses, its continuations indented two levels.
fn lines(pair: Pair<'_, Rule>, depth: usize) -> Vec<(usize, String)> {
    if pair.as_rule() == Rule::quote_field {
        return quotation_lines(pair, depth);
    }
    // Lines of groups: a group is the tokens that stay together.
    let mut lines: Vec<Vec<Vec<Token>>> = vec![vec![Vec::new()]];
    for child in pair.into_inner() {
        let current = lines.last_mut().expect("there is always a line");
        match child.as_rule() {
            Rule::kw_else => lines.push(vec![leaves(child)]),
            Rule::expression => {
                for part in child.into_inner() {
                    let groups = lines.last_mut().expect("there is always a line");
                    if matches!(part.as_rule(), Rule::kw_and | Rule::kw_or) {
                        groups.push(Vec::new());
                    }
                    groups
                        .last_mut()
                        .expect("there is always a group")
                        .extend(leaves(part));
                }
            }
            _ => current
                .last_mut()
                .expect("there is always a group")
                .extend(leaves(child)),
        }
    }
    let mut laid_out = Vec::new();
    for groups in lines {
        let whole: Vec<Token> = groups.iter().flatten().cloned().collect();
        let one_line = join(&whole);
        if indent(depth).len() + one_line.chars().count() <= WIDTH || groups.len() == 1 {
            laid_out.push((0, one_line));
            continue;
        }
        for (index, group) in groups.iter().enumerate() {
            laid_out.push((if index == 0 { 0 } else { 2 }, join(group)));
        }
    }
    laid_out
}

/// A quotation on one line when it fits; else each of its strings on a line of its own, and
/// where and when it was read on the last, the continuations indented two levels.
fn quotation_lines(pair: Pair<'_, Rule>, depth: usize) -> Vec<(usize, String)> {
    let tokens = leaves(pair);
    let one_line = join(&tokens);
    if indent(depth).len() + one_line.chars().count() <= WIDTH {
        return vec![(0, one_line)];
    }
    let mut lines: Vec<(usize, Vec<Token>)> = Vec::new();
    for token in tokens {
        let starts_line = match token.rule {
            Rule::kw_quote | Rule::kw_from => true,
            Rule::string => !matches!(
                lines.last().and_then(|(_, line)| line.last()),
                Some(Token {
                    rule: Rule::kw_quote | Rule::kw_from,
                    ..
                })
            ),
            _ => false,
        };
        if starts_line || lines.is_empty() {
            let extra = if lines.is_empty() { 0 } else { 2 };
            lines.push((extra, Vec::new()));
        }
        if let Some((_, line)) = lines.last_mut() {
            line.push(token);
        }
    }
    lines
        .into_iter()
        .map(|(extra, line)| (extra, join(&line)))
        .collect()
}

/// A token as it will be written, with the grammar rule it comes from.
#[derive(Clone)]
struct Token {
    rule: Rule,
    text: String,
}

/// The tokens of a pair, as they will be written: literals as written, but money, durations and
/// measured numbers with exactly one space inside.
fn leaves(pair: Pair<'_, Rule>) -> Vec<Token> {
    match pair.as_rule() {
        Rule::money | Rule::duration | Rule::measured => {
            let rule = pair.as_rule();
            let text = pair
                .into_inner()
                .map(|part| part.as_str().to_string())
                .collect::<Vec<_>>()
                .join(" ");
            vec![Token { rule, text }]
        }
        _ => {
            let inner: Vec<Pair<'_, Rule>> = pair.clone().into_inner().collect();
            if inner.is_empty() {
                vec![Token {
                    rule: pair.as_rule(),
                    text: pair.as_str().to_string(),
                }]
            } else {
                inner.into_iter().flat_map(leaves).collect()
            }
        }
    }
}

/// Tokens joined by single spaces, but for punctuation that hugs its neighbour: a function's
/// opening parenthesis hugs its name, and a minus sign its operand.
fn join(tokens: &[Token]) -> String {
    let mut line = String::new();
    let mut previous = None;
    for token in tokens {
        let hugs_left =
            matches!(token.text.as_str(), "," | ")" | "]") || token.rule == Rule::call_open;
        let after_opening = line.ends_with('(') || line.ends_with('[');
        let after_sign = previous == Some(Rule::negate) && !token.text.starts_with('-');
        if !line.is_empty() && !hugs_left && !after_opening && !after_sign {
            line.push(' ');
        }
        line.push_str(&token.text);
        previous = Some(token.rule);
    }
    line
}

/// Every token of a parse, for checking that formatting kept them all, in order.
fn tokens(pair: Pair<'_, Rule>) -> Vec<String> {
    leaves(pair)
        .into_iter()
        .map(|token| token.text)
        .filter(|text| !text.is_empty())
        .collect()
}
