# envc: only
import <envc/../Cargo.toml>
