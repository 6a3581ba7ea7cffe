//! The Docker Engine client against the real engine: connection, containers and their
//! cleanup, images, commit, export, exec, networks, volumes, archives and a registry.

mod connect;
mod containers;
mod context;
mod images;
mod interrupt;
mod podman;
mod registry;
mod tls;
