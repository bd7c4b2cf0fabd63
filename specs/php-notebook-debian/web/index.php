<?php
// The notebook's front page: proves php-fpm read the config run.sh rendered.
require __DIR__ . '/../config.php';
header('Content-Type: text/plain');
echo "lab-notebook on " . SITE_URL . "\n";
echo "db " . DB_HOST . " password " . (DB_PASSWORD !== '' ? 'set' : 'missing') . "\n";
