//! `hashString` with md5, sha1, sha256 and sha512 (hexadecimal, as Nix returns it).

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use crate::lang::error::{EvalError, EvalResult};
use crate::lang::eval::Eval;
use crate::lang::pos::Pos;
use crate::lang::value::Value;

pub fn hash_string(e: &Eval, args: &[Value], pos: Pos) -> EvalResult<Value> {
    let algo = e.arg_string(&args[0], "hashString", pos)?;
    let s = e.coerce_to_string(&args[1], pos, false)?;
    let hex = match &*algo {
        "md5" => hex::encode(Md5::digest(s.as_bytes())),
        "sha1" => hex::encode(Sha1::digest(s.as_bytes())),
        "sha256" => hex::encode(Sha256::digest(s.as_bytes())),
        "sha512" => hex::encode(Sha512::digest(s.as_bytes())),
        other => {
            return Err(EvalError::eval(
                format!("`builtins.hashString`: unknown hash algorithm `{other}`"),
                pos,
            )
            .with_help_text("use one of `md5`, `sha1`, `sha256`, `sha512`"));
        }
    };
    Ok(Value::string(hex))
}

trait HelpText {
    fn with_help_text(self, help: &str) -> Self;
}

impl HelpText for Box<EvalError> {
    fn with_help_text(mut self, help: &str) -> Self {
        self.help = Some(help.to_string());
        self
    }
}
