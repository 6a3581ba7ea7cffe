//! Build progress for people, on stderr: a live line per running step with the tail of its
//! output on a terminal (indicatif), plain lines otherwise or with `--progress plain`, and
//! nothing with `-q`. Output must read the same without colour, so no styling is used.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProgressMode {
    /// A terminal gets live lines, anything else plain lines.
    #[default]
    Auto,
    /// One line per event, and step output as indented lines.
    Plain,
    /// Nothing.
    Quiet,
}

enum Shown {
    Live(Option<ProgressBar>),
    Plain,
    Quiet,
}

/// Progress of one build.
pub struct Progress {
    shown: Shown,
    total: usize,
    /// Incomplete last line of output (plain mode prints whole lines only).
    partial: String,
}

impl Progress {
    pub fn new(mode: ProgressMode) -> Progress {
        let shown = match mode {
            ProgressMode::Quiet => Shown::Quiet,
            ProgressMode::Plain => Shown::Plain,
            ProgressMode::Auto if std::io::stderr().is_terminal() => Shown::Live(None),
            ProgressMode::Auto => Shown::Plain,
        };
        Progress {
            shown,
            total: 0,
            partial: String::new(),
        }
    }

    fn line(&self, text: &str) {
        match &self.shown {
            Shown::Live(Some(bar)) => bar.println(text),
            Shown::Live(None) | Shown::Plain => {
                let _ = writeln!(std::io::stderr().lock(), "{text}");
            }
            Shown::Quiet => {}
        }
    }

    /// The build of `name` starts with `total` steps, of which `cached` are in the cache.
    pub fn plan(&mut self, name: &str, total: usize, cached: usize) {
        self.total = total;
        let what = if cached == total {
            "everything is cached".to_owned()
        } else {
            format!("{cached} cached, {} to build", total - cached)
        };
        self.line(&format!("building `{name}`: {total} steps, {what}"));
    }

    /// A step found in the cache; `source` says where (`local` or `registry`).
    pub fn cache_hit(&mut self, index: usize, label: &str, source: &str) {
        if let Shown::Plain = self.shown {
            self.line(&format!("[{}/{}] {label}: {source}", index + 1, self.total));
        }
    }

    pub fn waiting(&mut self, index: usize, label: &str) {
        self.line(&format!(
            "[{}/{}] {label}: another envc is building this step, waiting for it",
            index + 1,
            self.total
        ));
    }

    pub fn waiting_for_cache(&mut self, index: usize, label: &str, volume: &str) {
        self.line(&format!(
            "[{}/{}] {label}: another step is using the cache `{volume}`, waiting for it",
            index + 1,
            self.total
        ));
    }

    pub fn start(&mut self, index: usize, label: &str) {
        let prefix = format!("[{}/{}] {label}", index + 1, self.total);
        match &mut self.shown {
            Shown::Live(slot) => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {prefix} {elapsed} {wide_msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.set_prefix(prefix);
                bar.enable_steady_tick(Duration::from_millis(120));
                *slot = Some(bar);
            }
            Shown::Plain => self.line(&prefix),
            Shown::Quiet => {}
        }
        self.partial.clear();
    }

    /// Output of the running step.
    pub fn output(&mut self, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        match &self.shown {
            Shown::Live(Some(bar)) => {
                self.partial.push_str(&text);
                let last = self
                    .partial
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .to_owned();
                bar.set_message(last);
                if let Some(i) = self.partial.rfind('\n') {
                    self.partial.drain(..=i);
                }
            }
            Shown::Plain => {
                self.partial.push_str(&text);
                while let Some(i) = self.partial.find('\n') {
                    let line: String = self.partial.drain(..=i).collect();
                    // A line redrawn with carriage returns (a percentage) shows its last state.
                    let line = line.trim_end_matches(['\n', '\r']);
                    let line = line.rsplit('\r').next().unwrap_or(line);
                    self.line(&format!("    {line}"));
                }
            }
            Shown::Live(None) | Shown::Quiet => {}
        }
    }

    /// The running step ended (successfully when `ok`).
    pub fn end(&mut self, index: usize, label: &str, took: Duration, ok: bool) {
        if let Shown::Plain = self.shown
            && !self.partial.is_empty()
        {
            let rest = std::mem::take(&mut self.partial);
            self.line(&format!("    {rest}"));
        }
        let verdict = if ok { "built" } else { "failed" };
        let text = format!(
            "[{}/{}] {label}: {verdict} in {:.1}s",
            index + 1,
            self.total,
            took.as_secs_f64()
        );
        match &mut self.shown {
            Shown::Live(slot) => {
                if let Some(bar) = slot.take() {
                    bar.finish_and_clear();
                }
                let _ = writeln!(std::io::stderr().lock(), "{text}");
            }
            Shown::Plain => self.line(&text),
            Shown::Quiet => {}
        }
        self.partial.clear();
    }

    /// A message outside any step (base preparation, tagging).
    pub fn note(&mut self, text: &str) {
        self.line(text);
    }

    /// A warning: shown in every mode, `-q` included.
    pub fn warn(&mut self, text: &str) {
        match &self.shown {
            Shown::Live(Some(bar)) => bar.println(format!("warning: {text}")),
            _ => {
                let _ = writeln!(std::io::stderr().lock(), "warning: {text}");
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Shown::Live(Some(bar)) = &self.shown {
            bar.finish_and_clear();
        }
    }
}
