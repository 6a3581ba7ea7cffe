//! The user's terminal: whether to allocate a TTY, raw mode while a TTY session runs (so
//! Ctrl-C and line editing happen in the container), and the window size.

use std::io::IsTerminal;

/// A TTY is allocated only when both stdin and stdout are terminals (so `envc run -- ls | x`
/// gives plain output, and piped input is not echoed).
pub fn wants_tty() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// The terminal's size as (rows, columns), when stdout is one.
pub fn size() -> Option<(u16, u16)> {
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ writes a `winsize` into the pointer given.
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) } == 0;
    (ok && ws.ws_row > 0).then_some((ws.ws_row, ws.ws_col))
}

/// Raw mode on stdin until dropped.
pub struct RawMode {
    saved: libc::termios,
}

impl RawMode {
    pub fn enable() -> Option<RawMode> {
        let mut saved: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: tcgetattr/tcsetattr read and write a `termios` we own.
        unsafe {
            if libc::tcgetattr(libc::STDIN_FILENO, &mut saved) != 0 {
                return None;
            }
            let mut raw = saved;
            libc::cfmakeraw(&mut raw);
            if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &raw) != 0 {
                return None;
            }
        }
        Some(RawMode { saved })
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        // SAFETY: restores the settings read in `enable`.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &self.saved);
        }
    }
}
