# Sourced by ./mvnw and the project's scripts: makes JAVA_HOME point at a JDK 21 or newer.
# Order: JAVA_HOME if it is 21+, else the `java` on PATH if it is 21+, else the newest JDK 21+
# under /usr/lib/jvm, /opt/java or ~/.sdkman/candidates/java. Fails with a clear message otherwise.
flow_jdk_major() {
  # prints the major version of the JDK at $1 (a JAVA_HOME), or nothing
  [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
flow_find_jdk() {
  if [ -n "${JAVA_HOME-}" ] && [ "$(flow_jdk_major "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then
    return 0
  fi
  if command -v javac >/dev/null 2>&1; then
    flow_candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    if [ "$(flow_jdk_major "$flow_candidate")" -ge 21 ] 2>/dev/null; then
      JAVA_HOME=$flow_candidate; export JAVA_HOME; return 0
    fi
  fi
  flow_best=""; flow_best_major=0
  case $- in *f*) flow_noglob=1; set +f ;; *) flow_noglob=0 ;; esac  # mvnw runs with globbing off
  for flow_candidate in /usr/lib/jvm/* /opt/java/* /opt/jdk* "${HOME-}"/.sdkman/candidates/java/*; do
    [ -d "$flow_candidate" ] || continue
    flow_major=$(flow_jdk_major "$flow_candidate")
    if [ -n "$flow_major" ] && [ "$flow_major" -gt "$flow_best_major" ]; then
      flow_best=$flow_candidate; flow_best_major=$flow_major
    fi
  done
  [ "$flow_noglob" = 1 ] && set -f
  if [ "$flow_best_major" -ge 21 ]; then
    JAVA_HOME=$flow_best; export JAVA_HOME; return 0
  fi
  echo "Flow Platform needs a JDK 21 or newer (found: ${JAVA_HOME:-none in JAVA_HOME}, newest installed: ${flow_best:-none})." >&2
  echo "Install one (e.g. Temurin 21 or 25) and set JAVA_HOME to it." >&2
  return 1
}
flow_find_jdk || exit 1
# Maven 3.9's Guice calls sun.misc.Unsafe, which JDK 24+ warns about on every run; the flag exists only there.
if [ "$(flow_jdk_major "$JAVA_HOME")" -ge 24 ] 2>/dev/null; then
  case "${MAVEN_OPTS-}" in
    *sun-misc-unsafe-memory-access*) ;;
    *) MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"; export MAVEN_OPTS ;;
  esac
fi
