"""Post-processing: free functions from KeyedVectors to new KeyedVectors."""
