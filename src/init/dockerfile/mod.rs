//! Dockerfiles, read the way BuildKit reads them: [`parse`] gives the instructions,
//! [`words`] processes their words (quotes, escapes, variables), and [`stages`] finds what
//! the final image is made of.

mod args;
mod heredoc;
pub mod parse;
pub mod stages;
pub mod words;
