"""Post-processing of trained vectors: free functions from KeyedVectors to KeyedVectors."""
