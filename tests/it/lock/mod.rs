//! Lock resolvers against the real things: the engine and a loopback registry for image
//! digests, a debootstrap base for apt closures, PyPI for pip hashes, Debian's mirror
//! for download hashes.

mod apt;
mod download;
mod image;
mod parent;
mod partial;
mod pip;
