//! `post` messages: rich text in one or more locales, paragraphs of typed nodes.

use serde_json::{Map, Value, json};

/// A text style, in text markup and in post nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Bold.
    Bold,
    /// Italic.
    Italic,
    /// Underlined.
    Underline,
    /// Struck through.
    LineThrough,
}

impl Style {
    /// The name post nodes use.
    pub fn as_str(self) -> &'static str {
        match self {
            Style::Bold => "bold",
            Style::Italic => "italic",
            Style::Underline => "underline",
            Style::LineThrough => "lineThrough",
        }
    }

    pub(crate) fn open_tag(self) -> &'static str {
        match self {
            Style::Bold => "<b>",
            Style::Italic => "<i>",
            Style::Underline => "<u>",
            Style::LineThrough => "<s>",
        }
    }

    pub(crate) fn close_tag(self) -> &'static str {
        match self {
            Style::Bold => "</b>",
            Style::Italic => "</i>",
            Style::Underline => "</u>",
            Style::LineThrough => "</s>",
        }
    }
}

/// One node of a post paragraph.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Text shown verbatim (`un_escape` false), or with HTML entities such as `&nbsp;`
    /// decoded when `un_escape` is true.
    Text {
        /// The words.
        text: String,
        /// Whether the platform decodes HTML entities in `text`.
        un_escape: bool,
        /// Styles.
        style: Vec<Style>,
    },
    /// A link.
    Link {
        /// The words shown.
        text: String,
        /// Where it leads.
        href: String,
        /// Styles.
        style: Vec<Style>,
    },
    /// A mention: an open_id, union_id or user_id, or `all` for everyone.
    At {
        /// Who.
        user_id: String,
        /// Styles.
        style: Vec<Style>,
    },
    /// An uploaded image; stands alone in its paragraph.
    Image {
        /// The `image_key` of an uploaded image.
        image_key: String,
    },
    /// An uploaded video with an optional cover; stands alone in its paragraph.
    Media {
        /// The `file_key` of an uploaded video.
        file_key: String,
        /// The `image_key` of its cover.
        image_key: Option<String>,
    },
    /// An emoji by its type name, e.g. `SMILE`.
    Emotion {
        /// The emoji type.
        emoji_type: String,
    },
    /// A code block.
    CodeBlock {
        /// The language, e.g. `rust`.
        language: Option<String>,
        /// The code.
        text: String,
    },
    /// A horizontal rule.
    Hr,
    /// Markdown, alone in its paragraph; the platform converts it to the other nodes.
    Markdown {
        /// The markdown.
        text: String,
    },
}

impl Node {
    /// Literal text.
    pub fn text(text: impl Into<String>) -> Self {
        Node::Text { text: text.into(), un_escape: false, style: Vec::new() }
    }

    /// A link.
    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Self {
        Node::Link { text: text.into(), href: href.into(), style: Vec::new() }
    }

    /// A mention of one user.
    pub fn at(user_id: impl Into<String>) -> Self {
        Node::At { user_id: user_id.into(), style: Vec::new() }
    }

    /// A mention of everyone.
    pub fn at_all() -> Self {
        Node::at("all")
    }

    /// An uploaded image.
    pub fn image(image_key: impl Into<String>) -> Self {
        Node::Image { image_key: image_key.into() }
    }

    /// An uploaded video, with an optional cover image.
    pub fn media(file_key: impl Into<String>, cover_image_key: Option<String>) -> Self {
        Node::Media { file_key: file_key.into(), image_key: cover_image_key }
    }

    /// An emoji, e.g. `SMILE`.
    pub fn emotion(emoji_type: impl Into<String>) -> Self {
        Node::Emotion { emoji_type: emoji_type.into() }
    }

    /// A code block.
    pub fn code_block(language: Option<&str>, text: impl Into<String>) -> Self {
        Node::CodeBlock { language: language.map(str::to_owned), text: text.into() }
    }

    /// Markdown converted by the platform.
    pub fn markdown(text: impl Into<String>) -> Self {
        Node::Markdown { text: text.into() }
    }

    /// Adds a style to a text, link or mention node; other nodes have none and stay as
    /// they are.
    #[must_use]
    pub fn style(mut self, added: Style) -> Self {
        if let Node::Text { style, .. } | Node::Link { style, .. } | Node::At { style, .. } = &mut self
            && !style.contains(&added)
        {
            style.push(added);
        }
        self
    }

    /// Bold.
    #[must_use]
    pub fn bold(self) -> Self {
        self.style(Style::Bold)
    }

    /// Italic.
    #[must_use]
    pub fn italic(self) -> Self {
        self.style(Style::Italic)
    }

    /// Underlined.
    #[must_use]
    pub fn underline(self) -> Self {
        self.style(Style::Underline)
    }

    /// Struck through.
    #[must_use]
    pub fn line_through(self) -> Self {
        self.style(Style::LineThrough)
    }

    /// Text nodes decode HTML entities such as `&nbsp;` (trusted input only).
    #[must_use]
    pub fn un_escape(mut self) -> Self {
        if let Node::Text { un_escape, .. } = &mut self {
            *un_escape = true;
        }
        self
    }

    fn to_json(&self) -> Value {
        let styles = |s: &[Style]| Value::from(s.iter().map(|s| s.as_str()).collect::<Vec<_>>());
        match self {
            Node::Text { text, un_escape, style } => {
                let mut node = json!({ "tag": "text", "text": text, "style": styles(style) });
                if *un_escape {
                    node["un_escape"] = Value::Bool(true);
                }
                node
            }
            Node::Link { text, href, style } => {
                json!({ "tag": "a", "text": text, "href": href, "style": styles(style) })
            }
            Node::At { user_id, style } => json!({ "tag": "at", "user_id": user_id, "style": styles(style) }),
            Node::Image { image_key } => json!({ "tag": "img", "image_key": image_key }),
            Node::Media { file_key, image_key } => {
                let mut node = json!({ "tag": "media", "file_key": file_key });
                if let Some(cover) = image_key {
                    node["image_key"] = Value::from(cover.as_str());
                }
                node
            }
            Node::Emotion { emoji_type } => json!({ "tag": "emotion", "emoji_type": emoji_type }),
            Node::CodeBlock { language, text } => {
                let mut node = json!({ "tag": "code_block", "text": text });
                if let Some(language) = language {
                    node["language"] = Value::from(language.as_str());
                }
                node
            }
            Node::Hr => json!({ "tag": "hr" }),
            Node::Markdown { text } => json!({ "tag": "md", "text": text }),
        }
    }
}

/// One line of a post: nodes shown side by side.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Paragraph(pub Vec<Node>);

impl From<Vec<Node>> for Paragraph {
    fn from(nodes: Vec<Node>) -> Self {
        Paragraph(nodes)
    }
}

impl<const N: usize> From<[Node; N]> for Paragraph {
    fn from(nodes: [Node; N]) -> Self {
        Paragraph(nodes.into())
    }
}

impl From<Node> for Paragraph {
    fn from(node: Node) -> Self {
        Paragraph(vec![node])
    }
}

/// A post in one locale: an optional title and paragraphs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostBody {
    title: Option<String>,
    paragraphs: Vec<Paragraph>,
}

impl PostBody {
    /// An empty, untitled post.
    pub fn new() -> Self {
        PostBody::default()
    }

    /// A post with this title.
    pub fn titled(title: impl Into<String>) -> Self {
        PostBody { title: Some(title.into()), paragraphs: Vec::new() }
    }

    /// Appends a paragraph: a node, an array of nodes or a `Vec` of them.
    #[must_use]
    pub fn paragraph(mut self, paragraph: impl Into<Paragraph>) -> Self {
        self.paragraphs.push(paragraph.into());
        self
    }

    fn to_json(&self) -> Value {
        let content: Vec<Value> =
            self.paragraphs.iter().map(|p| Value::from(p.0.iter().map(Node::to_json).collect::<Vec<_>>())).collect();
        let mut body = json!({ "content": content });
        if let Some(title) = &self.title {
            body["title"] = Value::from(title.as_str());
        }
        body
    }
}

/// A `post` message: the same post in one or more locales (`zh_cn`, `en_us`, `ja_jp`);
/// each reader sees their own language, or another when theirs is missing.
///
/// ```
/// use lark_runtime::message::{Content, Node, Post, PostBody};
///
/// let post = Post::en_us(
///     PostBody::titled("Release 1.2")
///         .paragraph([Node::text("Shipped by "), Node::at("ou_123"), Node::text("!").bold()])
///         .paragraph(Node::link("Changelog", "https://example.com/changes")),
/// )
/// .locale("zh_cn", PostBody::titled("1.2 版发布").paragraph(Node::text("已发布")));
/// let content = Content::from(post);
/// assert_eq!(content.msg_type(), "post");
/// assert_eq!(content.to_json()["en_us"]["content"][0][1]["user_id"], "ou_123");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Post {
    locales: Vec<(String, PostBody)>,
}

impl Post {
    /// A post in Simplified Chinese (`zh_cn`).
    pub fn zh_cn(body: PostBody) -> Self {
        Post::default().locale("zh_cn", body)
    }

    /// A post in English (`en_us`).
    pub fn en_us(body: PostBody) -> Self {
        Post::default().locale("en_us", body)
    }

    /// Adds (or replaces) the post in a locale such as `ja_jp`.
    #[must_use]
    pub fn locale(mut self, locale: impl Into<String>, body: PostBody) -> Self {
        let locale = locale.into();
        match self.locales.iter_mut().find(|(l, _)| *l == locale) {
            Some(slot) => slot.1 = body,
            None => self.locales.push((locale, body)),
        }
        self
    }

    /// The `content` object: `{"<locale>": {"title", "content"}}`.
    pub(crate) fn to_json(&self) -> Value {
        let mut map = Map::new();
        for (locale, body) in &self.locales {
            map.insert(locale.clone(), body.to_json());
        }
        Value::Object(map)
    }
}
