//! The `docker run` options of a devcontainer.json (`runArgs`): the ones `envc emit`
//! writes — network, published ports, GPUs, devices, capabilities, `/dev/shm`, the X11
//! socket — and `--init`, read back into run settings; any other is reported.

use serde_json::Value;

use crate::init::draft::{Draft, Found, Origin, PortDraft, short};

/// The `docker run` options `envc emit` writes (and the common ones people add).
pub(super) fn run_args(draft: &mut Draft, at: &Origin, value: &Value) {
    let args: Vec<&str> = value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i];
        i += 1;
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg, None),
        };
        let takes_value = matches!(
            flag,
            "--network"
                | "--net"
                | "--publish"
                | "-p"
                | "--gpus"
                | "--device"
                | "--cap-add"
                | "--cap-drop"
                | "--shm-size"
                | "--volume"
                | "-v"
                | "--ipc"
                | "--ulimit"
        );
        let value = match (takes_value, inline) {
            (_, Some(v)) => v,
            (true, None) => match args.get(i) {
                Some(v) => {
                    i += 1;
                    (*v).to_owned()
                }
                None => String::new(),
            },
            (false, None) => String::new(),
        };
        match flag {
            "--init" => {}
            "--network" | "--net" => {
                if let Some(t) = draft.run_text(at, "network", &value) {
                    draft.network = Some(Found {
                        value: t,
                        origin: at.clone(),
                    });
                }
            }
            "--publish" | "-p" => match parse_publish(&value) {
                Some(port) => draft.add_port(at, port),
                None => draft.skip(at, format!("`{arg}`: not a port mapping envc reads")),
            },
            "--gpus" if value == "all" => draft.gpu_all = Some(at.clone()),
            "--device" => {
                if let Some(t) = draft.run_text(at, "device", &value) {
                    draft.devices.push(Found {
                        value: t,
                        origin: at.clone(),
                    });
                }
            }
            "--cap-add" | "--cap-drop" => {
                let cap = value.trim_start_matches("CAP_").to_ascii_uppercase();
                if crate::spec::model::Capability::new(&cap).is_err() {
                    draft.skip(at, format!("`{}`: not a capability", short(arg)));
                } else if let Some(t) = draft.text(at, "capability", &cap) {
                    let list = if flag == "--cap-add" {
                        &mut draft.cap_add
                    } else {
                        &mut draft.cap_drop
                    };
                    list.push(Found {
                        value: t,
                        origin: at.clone(),
                    });
                }
            }
            "--shm-size" if crate::spec::model::ByteSize::new(&value).is_ok() => {
                if let Some(t) = draft.text(at, "shm size", &value) {
                    draft.shm_size = Some(Found {
                        value: t,
                        origin: at.clone(),
                    });
                }
            }
            "--volume" | "-v" if value == "/tmp/.X11-unix:/tmp/.X11-unix" => {
                draft.x11 = Some(at.clone());
            }
            _ => draft.skip(at, format!("run argument `{}`", short(arg))),
        }
    }
    // `run.x11` passes DISPLAY itself.
    if draft.x11.is_some() {
        draft.pass_env.retain(|p| p.value.as_str() != "DISPLAY");
    }
}

/// `[ADDRESS:]HOST:CONTAINER[/udp]` or `CONTAINER`.
fn parse_publish(s: &str) -> Option<PortDraft> {
    let (spec, udp) = match s.rsplit_once('/') {
        Some((spec, "udp")) => (spec, true),
        Some((spec, "tcp")) => (spec, false),
        Some(_) => return None,
        None => (s, false),
    };
    let parts: Vec<&str> = spec.split(':').collect();
    let (host, container) = match parts.as_slice() {
        [c] => (None, *c),
        [h, c] => (Some(*h), *c),
        [_addr, h, c] => (Some(*h), *c),
        _ => return None,
    };
    let container: u16 = container.parse().ok().filter(|p| *p > 0)?;
    let host = match host {
        Some(h) => Some(h.parse::<u16>().ok().filter(|p| *p > 0)?),
        None => None,
    };
    Some(PortDraft {
        container,
        host: host.filter(|h| *h != container),
        udp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_forms() {
        assert_eq!(
            parse_publish("127.0.0.1:8080:80"),
            Some(PortDraft {
                container: 80,
                host: Some(8080),
                udp: false
            })
        );
        assert_eq!(
            parse_publish("53:53/udp"),
            Some(PortDraft {
                container: 53,
                host: None,
                udp: true
            })
        );
        assert_eq!(parse_publish("x:80"), None);
    }
}
