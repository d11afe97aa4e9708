package evidence

// BundleFormat is the "format" value of a cvmscope evidence bundle.
const BundleFormat = "cvmscope-evidence"
