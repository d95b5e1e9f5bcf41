"""The loop with sales and marketing: exports, sales' feedback, review, waiting for sales."""
