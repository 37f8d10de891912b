"""Developers' tools that ship with digitize so that `digitize eval` works: `synth` (the
synthetic scanned books with exact truth), `evaluation` (metrics, real scans, tables) and
`bench` (speed and memory, `python -m digitize.lab.bench`)."""
