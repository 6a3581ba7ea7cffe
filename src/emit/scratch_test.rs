use serde_json::json;
#[test]
fn scratch_emit() {
    let dir = std::path::Path::new("/tmp/emitdemo/proj");
    std::fs::create_dir_all(dir.join("app")).unwrap();
    std::fs::write(dir.join("app/x.c"), "int x;\n").unwrap();
    std::fs::write(dir.join("demo.conf"), "x=1\n").unwrap();
    let spec: crate::spec::Spec = serde_json::from_value(json!({
        "name": "demo",
        "description": "A demo env",
        "base": {"image": "debian:bookworm"},
        "build_host": {"ca_certificates": true},
        "build": {
            "apt": ["curl", "git=1:2.39.2-1.1"],
            "pip": {"packages": ["numpy==1.26.4"]},
            "files": {
                "/opt/app": {"source": "app"},
                "/etc/demo.conf": {"source": "demo.conf", "mode": "0600"},
                "/etc/motd": {"text": "hello 'world'\n$HOME"}
            },
            "steps": [{"run": "make -C /opt/app\necho done", "env": {"CC": "gcc"}, "workdir": "/opt/app", "caches": [{"id": "ccache", "target": "/root/.ccache"}]},
                      {"run": "echo offline", "network": false}],
            "env": {"LANG": "C.UTF-8", "P": "$PATH:/x"},
            "labels": {"org.example.team": "hpc"},
            "workdir": "/opt/app",
            "entrypoint": ["/bin/sh", "-c"],
            "cmd": ["echo hi"]
        },
        "run": {"env": {"A": "1", "H": "{home}/x"}, "ports": [{"container": 8080}], "mounts": [{"source": "{project}/data", "target": "/data"}], "post_start": ["chown -R {uid} /data"]},
        "targets": {"apptainer": {"enable": true}}
    })).unwrap();
    let mut files = crate::plan::ProjectFiles::open(dir).unwrap();
    let plan = crate::plan::plan(&spec, None, &mut files, None).unwrap();
    let m = crate::plan::manifest(&spec, &plan);
    for f in super::emit(&spec, &plan, &m) {
        std::fs::write(std::path::Path::new("/tmp/emitdemo").join(f.name), f.bytes).unwrap();
    }
}
