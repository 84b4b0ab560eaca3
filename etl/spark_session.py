"""Starting Spark for the offline side (the ETL's ratings stage and the Spark training engine).

`check_master` validates a master URL (local[N], spark://host:port, yarn, k8s://...), `check_runtime` says what
to install when pyspark or a Java runtime is missing (before a JVM is started), and `spark_session` starts a
session with the project's settings. pyspark is imported inside the functions only, so importing this module
costs nothing and the surprise engine never needs pyspark.
"""
from __future__ import annotations

import logging
import re
import shutil
import warnings
from pathlib import Path

from errors import InputError

log = logging.getLogger(__name__)

MASTER_PATTERN = re.compile(r"local(\[(\*|[1-9]\d*)(,[1-9]\d*)?\])?|spark://[\w.-]+:\d{1,5}(,[\w.-]+:\d{1,5})*"
                            r"|yarn|k8s://https?://[\w.-]+(:\d{1,5})?")
JAVA_HINT = ("Spark needs a Java 17 runtime and found no `java` (PATH or JAVA_HOME); install Debian's "
             "openjdk-17-jre-headless (apt-get install openjdk-17-jre-headless)")
PYSPARK_HINT = "Spark needs pyspark: pip install -r requirements-spark.txt (or pip install -e '.[spark]')"


def check_master(text: str) -> str:
    """A Spark master URL: local, local[N], local[*], local[N,F], spark://host:port[,host:port], yarn or
    k8s://https://host:port; ValueError saying what is accepted otherwise (argparse makes it one line)."""
    if not MASTER_PATTERN.fullmatch(text or ""):
        raise ValueError(f"expected a Spark master such as local[*], local[2], spark://host:7077 or yarn, "
                         f"got {text!r}")
    return text


def check_runtime() -> None:
    """InputError with the fix when pyspark or a Java runtime is missing (before a JVM is started)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise InputError(PYSPARK_HINT) from None
    from settings import load_settings

    java_home = load_settings().java_home
    if not shutil.which("java") and not (java_home and (Path(java_home) / "bin" / "java").is_file()):
        raise InputError(JAVA_HINT)


def spark_session(master: str, conf: tuple[tuple[str, str], ...] = (), app_name: str = "streaming-recommender"):
    """A SparkSession on `master` with Arrow transfers on and Spark's console noise off."""
    check_runtime()
    from pyspark.sql import SparkSession

    # pyspark 4.3 warns on every pandas conversion that it "does not yet fully support pandas >= 3"; the
    # conversions used here (numbers and strings) are checked by the tests.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)

    builder = (SparkSession.builder.master(master).appName(app_name)
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "8")
               .config("spark.driver.memory", "4g"))
    for key, value in conf:  # --spark-conf KEY=VALUE wins over the defaults above
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    log.info("Spark %s on %s", spark.version, spark.sparkContext.master)
    return spark


def spark_version() -> str:
    from pyspark import __version__

    return __version__
