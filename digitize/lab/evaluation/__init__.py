"""Evaluation: ground truth from the synthetic generator and real scans, metrics, baselines."""
