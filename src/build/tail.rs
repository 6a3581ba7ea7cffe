//! The last lines of a step's output, kept for the failure message.

use std::collections::VecDeque;

/// A bounded buffer of the last `limit` complete lines (and the incomplete last one).
#[derive(Debug, Clone)]
pub struct Tail {
    limit: usize,
    lines: VecDeque<String>,
    partial: String,
}

impl Tail {
    pub fn new(limit: usize) -> Tail {
        Tail {
            limit,
            lines: VecDeque::new(),
            partial: String::new(),
        }
    }

    /// Add output; carriage returns (progress bars) keep only what was drawn last.
    pub fn push(&mut self, bytes: &[u8]) {
        self.partial.push_str(&String::from_utf8_lossy(bytes));
        while let Some(i) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=i).collect();
            let line = line.trim_end_matches(['\n', '\r']);
            let line = line.rsplit('\r').next().unwrap_or(line).to_owned();
            self.lines.push_back(line);
            if self.lines.len() > self.limit {
                self.lines.pop_front();
            }
        }
    }

    /// The kept lines, oldest first.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self.lines.iter().cloned().collect();
        if !self.partial.trim().is_empty() {
            out.push(self.partial.clone());
            if out.len() > self.limit {
                out.remove(0);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Tail;

    #[test]
    fn keeps_the_last_lines() {
        let mut tail = Tail::new(2);
        tail.push(b"one\ntwo\nthr");
        tail.push(b"ee\nfour");
        assert_eq!(tail.lines(), vec!["three", "four"]);
        let mut tail = Tail::new(5);
        tail.push(b"10%\r50%\r100%\n");
        assert_eq!(tail.lines(), vec!["100%"]);
    }
}
