//! A one-line shell command as words and operators, so that each format can quote the words
//! its own way (a Dockerfile's `RUN` takes POSIX quoting, a `.def`'s `%post` line needs
//! quoting that keeps every line safe for Apptainer's parser) while the command itself is
//! spelled once.

/// One piece of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// A word, quoted by the renderer.
    Word(String),
    /// An operator written as it is (`&&`, `>`).
    Op(&'static str),
}

/// A command line: words and operators.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Command(pub Vec<Token>);

impl Command {
    pub fn word(mut self, word: impl Into<String>) -> Self {
        self.0.push(Token::Word(word.into()));
        self
    }

    pub fn op(mut self, op: &'static str) -> Self {
        self.0.push(Token::Op(op));
        self
    }

    /// The line, each word quoted by `quote`.
    pub fn render<E>(&self, quote: impl Fn(&str) -> Result<String, E>) -> Result<String, E> {
        let mut parts = Vec::with_capacity(self.0.len());
        for token in &self.0 {
            parts.push(match token {
                Token::Word(word) => quote(word)?,
                Token::Op(op) => (*op).to_owned(),
            });
        }
        Ok(parts.join(" "))
    }

    /// The line with POSIX shell quoting.
    pub fn to_shell(&self) -> String {
        self.render(|w| Ok::<_, std::convert::Infallible>(crate::escape::shell::quote(w)))
            .unwrap_or_else(|never| match never {})
    }
}
