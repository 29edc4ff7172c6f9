"""What the rule formats (Elastic TOML, Sigma) say about the detection besides its logic:
name, description, ATT&CK mapping, references and the false-positive families of the spec."""

from __future__ import annotations

NAME = "One-Way C2 over a Legitimate Web Service"
DESCRIPTION = (
    "A script engine or living-off-the-land binary reaches a web service that adversaries use "
    "to host one-way command and control (code hosting, paste, messaging, storage, tunnels). "
    "Using a popular service hides the polling in expected traffic behind the service's TLS."
)
TACTIC = ("TA0011", "Command and Control", "https://attack.mitre.org/tactics/TA0011/")
TECHNIQUE = ("T1102", "Web Service", "https://attack.mitre.org/techniques/T1102/")
SUBTECHNIQUE = (
    "T1102.003",
    "One-Way Communication",
    "https://attack.mitre.org/techniques/T1102/003/",
)
REFERENCES: tuple[str, ...] = (
    "https://attack.mitre.org/techniques/T1102/003/",
    "https://github.com/redcanaryco/atomic-red-team/blob/master/atomics/T1102.003/T1102.003.md",
)
# The specification's three families of benign matches.
FALSE_POSITIVES: tuple[str, ...] = (
    "Continuous integration runners under system accounts whose Node.js or Python scripts "
    "fetch packages or call build APIs on GitHub raw content or googleapis.com",
    "Endpoint management or RMM agents that start cmd.exe or PowerShell to poll SaaS status "
    "endpoints or pull configuration from SharePoint or Notion",
    "Developer workstations where curl.exe or wget.exe is used interactively to test webhook "
    "endpoints of Discord, Reddit or Trello",
)
# Elastic's conventional risk score for each severity level.
RISK_SCORES = {"low": 21, "medium": 47, "high": 73, "critical": 99}
