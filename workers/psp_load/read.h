/*
 * What reading the next item of a streamed file came to, for the CSV reader
 * and the JSON splitter alike. Nothing else lives here.
 */
#ifndef REFUNDS_PSP_LOAD_READ_H
#define REFUNDS_PSP_LOAD_READ_H

enum rf_read {
    RF_READ_ITEM,  /* an item was read */
    RF_READ_END,   /* the input ended cleanly */
    RF_READ_ERROR, /* the input is malformed or could not be read; the error says where */
};

#endif
