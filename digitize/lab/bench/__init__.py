"""`make bench` (`python -m digitize.lab.bench`): digitize's speed and memory against plain Tesseract
and OCRmyPDF on the same pages, in one run. Prints a table and writes `.bench/results.json`."""
