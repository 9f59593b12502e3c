//! `text` messages: plain words, mentions, styles and links, with user input kept literal.

use serde_json::{Value, json};

use super::post::{Node, Paragraph, Post, PostBody, Style};

/// A text message built from parts.
///
/// Words added with [`new`](Self::new) and [`push`](Self::push) are shown exactly as
/// given: the platform defines no escape for text messages, so when a literal part holds a
/// character that text markup could read (`<`, as in `<at user_id="all">`, or `[`, as in
/// `[link](url)`), the message is sent as a `post` of one untitled block instead, whose
/// text nodes the platform shows verbatim (`un_escape` left false). Mentions, links and
/// styles keep their meaning either way. [`Content::raw_text`](super::Content::raw_text)
/// sends trusted markup as is.
///
/// ```
/// use lark_runtime::message::{Content, Text};
///
/// let text = Text::new("hello ").mention("ou_123", "Tom").push(", see ").link("the docs", "https://example.com");
/// let content = Content::from(text);
/// assert_eq!(content.msg_type(), "text");
/// assert_eq!(
///     content.to_json()["text"],
///     r#"hello <at user_id="ou_123">Tom</at>, see [the docs](https://example.com)"#
/// );
///
/// // Text from a user can never mention everyone or open a link.
/// let echoed = Content::from(Text::new(r#"<at user_id="all"></at> [x](https://evil)"#));
/// assert_eq!(echoed.msg_type(), "post");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Text {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    /// Words shown as they are, in these styles.
    Words(String, Vec<Style>),
    Mention {
        user_id: String,
        name: String,
    },
    MentionAll,
    Link {
        text: String,
        url: String,
    },
}

impl Text {
    /// A text of these words, shown literally.
    pub fn new(words: impl Into<String>) -> Self {
        Text::default().push(words)
    }

    /// Appends words, shown literally; `\n` starts a new line.
    #[must_use]
    pub fn push(mut self, words: impl Into<String>) -> Self {
        self.parts.push(Part::Words(words.into(), Vec::new()));
        self
    }

    /// Appends words in the given styles (nestable: bold and italic at once, say).
    #[must_use]
    pub fn styled(mut self, words: impl Into<String>, styles: &[Style]) -> Self {
        self.parts.push(Part::Words(words.into(), styles.to_vec()));
        self
    }

    /// Appends bold words.
    #[must_use]
    pub fn bold(self, words: impl Into<String>) -> Self {
        self.styled(words, &[Style::Bold])
    }

    /// Appends italic words.
    #[must_use]
    pub fn italic(self, words: impl Into<String>) -> Self {
        self.styled(words, &[Style::Italic])
    }

    /// Appends underlined words.
    #[must_use]
    pub fn underline(self, words: impl Into<String>) -> Self {
        self.styled(words, &[Style::Underline])
    }

    /// Appends struck-through words.
    #[must_use]
    pub fn strikethrough(self, words: impl Into<String>) -> Self {
        self.styled(words, &[Style::LineThrough])
    }

    /// Mentions a user by open_id, union_id or user_id; `name` is shown if the id does
    /// not resolve.
    #[must_use]
    pub fn mention(mut self, user_id: impl Into<String>, name: impl Into<String>) -> Self {
        self.parts.push(Part::Mention { user_id: user_id.into(), name: name.into() });
        self
    }

    /// Mentions everyone in the chat (the group must allow it).
    #[must_use]
    pub fn mention_all(mut self) -> Self {
        self.parts.push(Part::MentionAll);
        self
    }

    /// Appends a link showing `text`.
    #[must_use]
    pub fn link(mut self, text: impl Into<String>, url: impl Into<String>) -> Self {
        self.parts.push(Part::Link { text: text.into(), url: url.into() });
        self
    }

    /// Whether every literal part reads the same as text markup, so the message can go as
    /// `text`. Link texts and mention names count as literal too.
    pub(crate) fn is_markup_safe(&self) -> bool {
        let safe = |s: &str| !s.contains(['<', '>', '[', ']']);
        self.parts.iter().all(|part| match part {
            Part::Words(words, _) => safe(words),
            Part::Mention { user_id, name } => safe(user_id) && safe(name) && !user_id.contains('"'),
            Part::MentionAll => true,
            Part::Link { text, url } => safe(text) && !url.contains([')', ' ', '\n']),
        })
    }

    /// The text markup: `{"text": "..."}`'s value.
    pub(crate) fn markup(&self) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Words(words, styles) => {
                    for style in styles {
                        out.push_str(style.open_tag());
                    }
                    out.push_str(words);
                    for style in styles.iter().rev() {
                        out.push_str(style.close_tag());
                    }
                }
                Part::Mention { user_id, name } => out.push_str(&format!("<at user_id=\"{user_id}\">{name}</at>")),
                Part::MentionAll => out.push_str("<at user_id=\"all\"></at>"),
                Part::Link { text, url } => out.push_str(&format!("[{text}]({url})")),
            }
        }
        out
    }

    /// The same message as an untitled post, each line a paragraph.
    pub(crate) fn to_post(&self) -> Post {
        let mut paragraphs = vec![Vec::new()];
        for part in &self.parts {
            match part {
                Part::Words(words, styles) => {
                    for (i, line) in words.split('\n').enumerate() {
                        if i > 0 {
                            paragraphs.push(Vec::new());
                        }
                        if !line.is_empty() {
                            let node = styles.iter().fold(Node::text(line), |node, style| node.style(*style));
                            paragraphs.last_mut().expect("never empty").push(node);
                        }
                    }
                }
                Part::Mention { user_id, .. } => paragraphs.last_mut().expect("never empty").push(Node::at(user_id)),
                Part::MentionAll => paragraphs.last_mut().expect("never empty").push(Node::at_all()),
                Part::Link { text, url } => paragraphs.last_mut().expect("never empty").push(Node::link(text, url)),
            }
        }
        let body = paragraphs.into_iter().fold(PostBody::new(), |body, nodes| body.paragraph(Paragraph::from(nodes)));
        Post::zh_cn(body)
    }

    /// The `content` object.
    pub(crate) fn to_json(&self) -> Value {
        if self.is_markup_safe() { json!({ "text": self.markup() }) } else { self.to_post().to_json() }
    }
}

impl From<&str> for Text {
    fn from(words: &str) -> Self {
        Text::new(words)
    }
}

impl From<String> for Text {
    fn from(words: String) -> Self {
        Text::new(words)
    }
}
