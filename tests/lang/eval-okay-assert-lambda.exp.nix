[ "ok: a" false ]
