# Flow invocation runner: imports the module source in FLOW_INVOKE_SOURCE as module FLOW_INVOKE_MODULE, calls
# FLOW_INVOKE_FUNCTION with the JSON arguments in FLOW_INVOKE_CALL ({"args": [...], "kwargs": {...}}) and prints ONE
# result line: the marker, a space, then ASCII JSON ({"ok": true, "result": ...} or
# {"ok": false, "error": {"type", "message", "traceback"}}). Every value arrives in the environment (set by the
# startup script as single-quoted words), read as UTF-8 bytes: nothing the user sends is ever parsed by a shell.
import json, os, sys, traceback, types

MARKER = "__FLOW_INVOCATION_RESULT__"
MAX_LINE = 512 * 1024


def emit(payload):
    line = MARKER + " " + json.dumps(payload, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    if len(line) > MAX_LINE:
        line = MARKER + " " + json.dumps({"ok": False, "error": {
            "type": "ResultTooLarge",
            "message": "the result is %d characters of JSON; at most %d fit in one log line" % (len(line), MAX_LINE),
            "traceback": ""}}, ensure_ascii=True, separators=(",", ":"))
    sys.stdout.flush()
    sys.stderr.flush()
    # own line even when the function left a partial line on stdout
    sys.stdout.write("\n" + line + "\n")
    sys.stdout.flush()


def failure(kind, message, trace):
    return {"ok": False, "error": {"type": kind, "message": message, "traceback": trace}}


def main():
    try:
        env = os.environb
        name = env[b"FLOW_INVOKE_MODULE"].decode("utf-8")
        function = env[b"FLOW_INVOKE_FUNCTION"].decode("utf-8")
        source = env[b"FLOW_INVOKE_SOURCE"].decode("utf-8")
        call = json.loads(env[b"FLOW_INVOKE_CALL"].decode("utf-8"))
        module = types.ModuleType(name)
        module.__file__ = os.path.join(os.getcwd(), name + ".py")
        sys.modules[name] = module
        exec(compile(source, module.__file__, "exec"), module.__dict__)
        target = module
        for part in function.split("."):
            target = getattr(target, part)
        result = target(*call.get("args", []), **call.get("kwargs", {}))
    except BaseException as e:  # SystemExit and KeyboardInterrupt too: the caller gets an answer whatever happened
        emit(failure(type(e).__name__, str(e), traceback.format_exc()))
        return 1
    try:
        json.dumps(result, allow_nan=False)
    except (TypeError, ValueError) as e:
        emit(failure("ResultNotJSON", "the function returned a value JSON cannot represent: %s" % e, ""))
        return 1
    emit({"ok": True, "result": result})
    return 0


sys.exit(main())
