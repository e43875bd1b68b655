"""fuwu: customer-service operations for a Chinese bank."""
