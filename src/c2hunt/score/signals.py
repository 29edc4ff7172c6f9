"""Signal builders: each adds rows to the `signals` table for the findings it supports.

`signals(finding_id, signal, weight, evidence)` holds every contribution to a finding's risk
score. A builder is a function `(con, knowledge) -> None` that INSERTs into it; `SIGNAL_BUILDERS`
lists them explicitly, in the order they run. Behavioural signals (polling, script blocks,
scheduled tasks, BITS, ...) are added by appending a builder here.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from c2hunt.correlate.behaviour import BEHAVIOUR_BUILDERS
from c2hunt.correlate.sql import URL_REGEX, norm_name, sql_literal
from c2hunt.knowledge import Knowledge

SignalBuilder = Callable[[duckdb.DuckDBPyConnection, Knowledge], None]

SIGNALS_DDL = """
CREATE OR REPLACE TABLE signals (
    finding_id VARCHAR NOT NULL,
    signal VARCHAR NOT NULL,
    weight INTEGER NOT NULL,
    evidence VARCHAR
)
"""


def listed_binary(con: duckdb.DuckDBPyConnection, knowledge: Knowledge) -> None:
    """The connecting process is a listed script engine or proxy-execution binary."""
    weight = knowledge.signals["listed_binary"].weight
    con.execute(
        """
        INSERT INTO signals
        SELECT finding_id, 'listed_binary', ?,
               binary_image || ' (' || binary_kind || ') matched by ' || binary_matched_by
        FROM c2_binary_match
        WHERE finding_id IN (SELECT finding_id FROM findings)
        """,
        [weight],
    )


def service_category(con: duckdb.DuckDBPyConnection, knowledge: Knowledge) -> None:
    """The destination is a listed web service; its category weighs in."""
    del knowledge  # the category weights are in kn_services
    con.execute(
        """
        INSERT INTO signals
        SELECT f.finding_id, 'service_category', s.category_weight,
               f.dest_name || ' is ' || s.service || ' (' || s.category_label || ')'
        FROM findings f JOIN c2_service_match s USING (finding_id)
        """
    )


def flags(con: duckdb.DuckDBPyConnection, knowledge: Knowledge) -> None:
    """Each triage flag that fired, with the text of the field it matched."""
    for flag in knowledge.flags:
        column = f'"{flag.name}"'
        regex = sql_literal("(?i)" + flag.regex)
        about = sql_literal(flag.description)
        con.execute(
            f"""
            INSERT INTO signals
            SELECT finding_id, {sql_literal(flag.name)}, {flag.weight},
                   {sql_literal(flag.field)} || ' matched ' ||
                   regexp_extract("{flag.field}", {regex}) || ': ' || {about}
            FROM findings WHERE {column} = 1
            """
        )


def url_in_command_line(con: duckdb.DuckDBPyConnection, knowledge: Knowledge) -> None:
    """The process's own command line names a URL on the destination's host."""
    weight = knowledge.signals["url_in_command_line"].weight
    url = sql_literal(URL_REGEX)
    con.execute(
        f"""
        INSERT INTO signals
        SELECT finding_id, 'url_in_command_line', ?, 'command line names ' || any_value(url)
        FROM (SELECT finding_id, dest_name, unnest(regexp_extract_all(CommandLine, {url})) AS url
              FROM findings)
        WHERE {norm_name(f"regexp_extract(url, {url}, 2)")} = dest_name
        GROUP BY finding_id
        """,
        [weight],
    )


# Signal name -> builder, run in this order after the findings are built.
SIGNAL_BUILDERS: dict[str, SignalBuilder] = {
    "listed_binary": listed_binary,
    "service_category": service_category,
    "flags": flags,
    "url_in_command_line": url_in_command_line,
    **BEHAVIOUR_BUILDERS,  # polling, script blocks, response files, tasks, BITS (behaviour.py)
}
