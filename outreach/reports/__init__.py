"""The reports room: who responds (per MP, party and committee), letters per day and state, charts drawn on the
page, CSV exports, a report for an MP's office and the petition handover. Read-only over the other rooms."""
